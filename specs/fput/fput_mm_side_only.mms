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
c_put:      atomic { f_ref := f_ref - 1; last := f_ref == 0 }
            if last {
c_fput:         lock(i_mutex)
c_fput_done:    atomic { unlock(i_mutex); released := true }
            } else {
c_not_last:     skip
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
              if last {
u_fput:           lock(i_mutex)
u_fput_done:      atomic { unlock(i_mutex); released := true }
              } else {
u_not_last:       skip
              }
}

process rtnl_user {
            if RTNL_USER == 1 {
n_lock:         lock(rtnl)
n_put:          g_ref := 0                              // fput(g): the last reference
n_kill_sb:      lock(rtnl)                              // __fput() inline -> ->kill_sb()
n_kill_sb_done: atomic { unlock(rtnl); g_released := true }
n_unlock:       unlock(rtnl)
            } else {
n_absent:       skip
            }
}

expect deadlock
