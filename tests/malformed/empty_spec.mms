// expect: MMS322 1:1

