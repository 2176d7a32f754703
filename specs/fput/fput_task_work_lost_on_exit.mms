// fput_task_work.mms without the delayed_fput_list fallback: when task_work_add() fails
// because the task is already past exit_task_work(), the ____fput item is simply dropped.
// No safety property notices (nothing deadlocks, no lock is held in __fput()), but the file
// is never released: f_ref reaches 0 and __fput() never runs. This is why
// __fput_deferred() falls through to the delayed list "to avoid leaking *file", and why the
// liveness property f_freed exists. Discussion: README.md in this folder.
spec fput_task_work_lost_on_exit

rwsem mmap_sem writer_pref
mutex i_mutex
mutex rtnl

var f_ref: 0..2 = 2             // the mapped file: the VMA's and the fd's references
var g_ref: 0..1 = 1             // an NFS file whose last __fput() kills the superblock
var dl: bool = false            // f is on delayed_fput_list, delayed_fput_work scheduled
ghost var released: bool = false
ghost var g_released: bool = false

// P1.3: the file is eventually released once its last reference is gone (close() semantics:
// unmount after close works).
property f_freed: f_ref == 0 leadsto released
property g_freed: g_ref == 0 leadsto g_released

// ____fput(): __fput() of f, run by task_work_run() under the task that queued it.
proc fput_f() {
f_fput:       atomic { lock(i_mutex); assert !held(mmap_sem) && !held(rtnl), "__fput() with a lock held" }
f_fput_done:  atomic { unlock(i_mutex); released := true }
}

// ____fput() of g: __fput() -> deactivate_super() -> ->kill_sb() -> rtnl_lock()
proc fput_g() {
g_fput:       atomic { lock(rtnl); assert !held(mmap_sem) && !held(i_mutex), "__fput() with a lock held" }
g_fput_done:  atomic { unlock(rtnl); g_released := true }
}

// The fd's holder: close(2) and return to user mode, or a reference dropped after
// exit_task_work() (task_work_add() fails: the delayed_fput_list fallback).
process closer fair {
c_put:      either {                                    // fput(): the fd's reference
                atomic { f_ref := f_ref - 1; if f_ref == 0 { task_work_add(current, fput_f) } }
c_fput:         return_to_user()                        // task_work_run(): fput_f if queued
            } or {                                      // past exit_task_work(): the failed
                f_ref := f_ref - 1                      // task_work_add() is ignored
            }
}

process write_path fair {
w_lock:       lock(i_mutex)
w_fault:      down_read(mmap_sem)
w_fault_done: up_read(mmap_sem)
w_unlock:     unlock(i_mutex)
}

// munmap(): the final fput() under the write lock, or under the read lock after downgrade.
process munmap fair {
u_lock:       down_write(mmap_sem)
u_unmap:      either {
                  atomic { f_ref := f_ref - 1; if f_ref == 0 { task_work_add(current, fput_f) } }
u_unlock_w:       up_write(mmap_sem)
              } or {
                  downgrade_write(mmap_sem)             // or after mmap_write_downgrade()
u_put_r:          atomic { f_ref := f_ref - 1; if f_ref == 0 { task_work_add(current, fput_f) } }
u_unlock_r:       up_read(mmap_sem)
              }
u_fput:       return_to_user()                          // task_work_run(): fput_f if queued
}

// Another thread of the process queueing for the write lock (the writer-preference case).
process mmap_writer fair {
q_lock:       down_write(mmap_sem)
q_unlock:     up_write(mmap_sem)
}

// Al's case: the last reference to g dropped under rtnl_lock().
process rtnl_user fair {
n_lock:       lock(rtnl)
n_put:        atomic { g_ref := 0; task_work_add(current, fput_g) }   // fput(g)
n_unlock:     unlock(rtnl)
n_fput:       return_to_user()                          // task_work_run(): fput_g
}

// delayed_fput(): the workqueue fallback.
process worker fair final(k_idle) {
k_idle:       await dl
k_fput:       atomic { lock(i_mutex); assert !held(mmap_sem) && !held(rtnl), "__fput() with a lock held" }
k_fput_done:  atomic { unlock(i_mutex); released := true; dl := false }
}

expect liveness f_freed
