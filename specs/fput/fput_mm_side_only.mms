// Hugh Dickins's offer (20 Apr 2012): fix it on the mm side. munmap already gathers the VMAs
// to free; detach them under mmap_sem, drop mmap_sem, and only then fput() their files
// ("That's already the case when exiting"). __fput() stays synchronous. That removes the
// munmap ABBA (run this spec with -D RTNL_USER=0: every property holds), but it fixes one
// caller, not fput(): any other caller that drops a last reference with a lock held is
// still exposed. Al's rtnl_lock() example deadlocks exactly as under the IMA predicate.
// Discussion: ../../../shared/seeds/deferred-fput-under-mmap-sem.txt (README.md here).
spec fput_mm_side_only

const RTNL_USER = 1             // 0: leave out Al's rtnl_lock() caller

rwsem mmap_sem
mutex i_mutex
mutex rtnl

var f_ref: 0..2 = 2
var g_ref: 0..1 = 1
ghost var released: bool = false
ghost var g_released: bool = false

process closer {
    var last: bool
c_put:      atomic { f_ref := f_ref - 1; last := f_ref == 0 }  // fput(): atomic dec-and-test
c_fput:     if last {
                lock(i_mutex)                           // __fput() -> ima_file_free()
c_fput_done:    atomic { unlock(i_mutex); released := true }
            } else {
                skip                                    // not the last: nothing to do
            }
}

process write_path {
w_lock:       lock(i_mutex)
w_fault:      down_read(mmap_sem)
w_fault_done: up_read(mmap_sem)
w_unlock:     unlock(i_mutex)
}

// munmap() reworked: detach under mmap_sem, put the files after unlocking.
process munmap {
    var last: bool
u_lock:       down_write(mmap_sem)
u_detach:     skip                                      // unlink the VMA, keep it on a list
u_unlock:     up_write(mmap_sem)
u_put:        atomic { f_ref := f_ref - 1; last := f_ref == 0 }  // fput() with no lock held
u_fput:       if last {
                  lock(i_mutex)
u_fput_done:      atomic { unlock(i_mutex); released := true }
              } else {
                  skip
              }
}

// Al's case: a final fput() with rtnl_lock() held; __fput() is as synchronous as ever.
process rtnl_user {
    var last: bool
n_lock:     if RTNL_USER == 1 {
                lock(rtnl)                              // e.g. a netlink operation
n_put:          atomic { g_ref := g_ref - 1; last := g_ref == 0 }  // fput(g)
n_fput:         if last {
                    lock(rtnl)                          // __fput() -> deactivate_super() ->
n_fput_done:        atomic { unlock(rtnl); g_released := true }   // NFS ->kill_sb()
                } else {
                    skip
                }
n_unlock:       unlock(rtnl)
            } else {
                skip                                    // RTNL_USER = 0: not there
            }
}

expect deadlock
