" mmspec specs: *.mms. Vim's own filetype.vim guesses MMIX assembly or a makefile for
" *.mms, so this overrides it (`set filetype`, not `setfiletype`).
autocmd BufRead,BufNewFile *.mms set filetype=mms
