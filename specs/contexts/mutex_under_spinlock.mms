// A mutex taken while a spinlock is held: mutex_lock() may sleep, and sleeping with a
// spinlock held is "BUG: sleeping function called from invalid context" (might_sleep()
// in mutex_lock(); the spinlock made the context atomic). Found on the first path that
// reaches the mutex_lock() with the spinlock held, whether or not the mutex is contended.
spec mutex_under_spinlock

spinlock ptl               // a page-table lock
mutex i_mmap_mutex
var mapped: bool = true

process zap {
        spin_lock(ptl)
  clear: mapped := false
  rmap:  mutex_lock(i_mmap_mutex)      // BUG: may sleep under ptl
         mutex_unlock(i_mmap_mutex)
         spin_unlock(ptl)
}

process rmap_walk {
         mutex_lock(i_mmap_mutex)
  look:  skip
         mutex_unlock(i_mmap_mutex)
}

expect context
