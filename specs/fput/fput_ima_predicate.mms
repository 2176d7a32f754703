// The IMA proposal (2012): keep the final fput() synchronous, but if mmap_sem is held, make
// it "non-final" and run __fput() asynchronously from a worker. That defuses the munmap
// ABBA of fput_sync_under_mmap_sem.mms (run this spec with -D RTNL_USER=0: every property
// holds). Al Viro's objection: "is ->mmap_sem unlocked" is being used as "is it safe to
// take i_mutex", and __fput() takes more than i_mutex. His example: fput() under
// rtnl_lock(), where the final __fput() ends in the last deactivate_super() and an NFS
// ->kill_sb() that takes rtnl again. mmap_sem is not held, so the predicate says "inline",
// and the thread deadlocks on itself.
// Discussion: ../../../shared/seeds/deferred-fput-under-mmap-sem.txt (README.md here).
spec fput_ima_predicate

const RTNL_USER = 1             // 0: leave out Al's rtnl_lock() caller

rwsem mmap_sem
mutex i_mutex
mutex rtnl                      // rtnl_lock()

var f_ref: 0..2 = 2             // the mapped file: the VMA's and the fd's references
var g_ref: 0..1 = 1             // a file on an NFS mount whose last __fput() kills the sb
var dl_f: bool = false          // f's __fput() handed to the worker
var dl_g: bool = false          // g's __fput() handed to the worker
ghost var released: bool = false    // f's __fput() finished
ghost var g_released: bool = false  // g's __fput() finished

// The predicate: rwsem_is_locked(&current->mm->mmap_sem). It is read right after the
// dec-and-test: whether *this* thread holds mmap_sem cannot change in between.
process closer {
    var last: bool
    var defer: bool
c_put:      atomic { f_ref := f_ref - 1; last := f_ref == 0; defer := locked(mmap_sem) }
c_fput:     if !last {
                skip                                    // not the last: nothing to do
            } else if defer {
                dl_f := true                            // "becomes non-final", async
            } else {
                lock(i_mutex)                           // __fput() inline
c_fput_done:    atomic { unlock(i_mutex); released := true }
            }
}

process write_path {
w_lock:       lock(i_mutex)
w_fault:      down_read(mmap_sem)
w_fault_done: up_read(mmap_sem)
w_unlock:     unlock(i_mutex)
}

process munmap {
    var last: bool
    var defer: bool
u_lock:       down_write(mmap_sem)
u_put:        atomic { f_ref := f_ref - 1; last := f_ref == 0; defer := locked(mmap_sem) }
u_fput:       if !last {
                  skip
              } else if defer {
                  dl_f := true                          // mmap_sem held: defer
              } else {
                  lock(i_mutex)
u_fput_done:      atomic { unlock(i_mutex); released := true }
              }
u_unlock:     up_write(mmap_sem)
}

// Al's case: a final fput() with rtnl_lock() held.
process rtnl_user {
    var last: bool
    var defer: bool
n_lock:     if RTNL_USER == 1 {
                lock(rtnl)                              // e.g. a netlink operation
n_put:          atomic { g_ref := g_ref - 1; last := g_ref == 0; defer := locked(mmap_sem) }
n_fput:         if !last {
                    skip
                } else if defer {
                    dl_g := true
                } else {
                    lock(rtnl)                          // __fput() -> deactivate_super() ->
n_fput_done:        atomic { unlock(rtnl); g_released := true }   // NFS ->kill_sb()
                }
n_unlock:       unlock(rtnl)
            } else {
                skip                                    // RTNL_USER = 0: not there
            }
}

// The workqueue that runs deferred __fput()s, one work item per file.
process worker_f final(kf_idle) {
kf_idle:      await dl_f
kf_fput:      lock(i_mutex)
kf_fput_done: atomic { unlock(i_mutex); released := true; dl_f := false }
}

process worker_g final(kg_idle) {
kg_idle:      await dl_g
kg_fput:      lock(rtnl)
kg_fput_done: atomic { unlock(rtnl); g_released := true; dl_g := false }
}

expect deadlock
