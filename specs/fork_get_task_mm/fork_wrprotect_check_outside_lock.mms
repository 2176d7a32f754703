// Dave's handshake with the marker test moved out of task_lock: get_task_mm() peeks at the
// marker with a plain load, then takes task_lock and bumps mm_users without looking again.
// Check-then-act without a common lock: the peek can happen before fork sets the marker and
// the increment after fork's mm_users test, so fork takes the non-atomic path while a new
// user is about to store through the PTE. Discussion: README.md in this folder.
spec fork_wrprotect_check_outside_lock

rwsem mmap_lock
spinlock task_lock

type Pte = record { w: bool, d: bool, sd: bool }
def wrprotect(p) = { w: false, d: false, sd: p.sd || p.d }

var pte: Pte = { w: true, d: false, sd: false }
var users: 1..2 = 1
var count: 1..2 = 1
var marker: bool = false                              // fork in progress, fast path chosen
ghost var written: bool = false

invariant no_shstk_pte: !(!pte.w && pte.d)            // I2.1
invariant no_lost_dirty: written => (pte.d || pte.sd) // I2.2

process fork {
    var fast: bool
    var tmp: Pte
f_lock:      down_write(mmap_lock)
f_decide:    atomic {                            // under task_lock: both counts, then mark
                 spin_lock(task_lock)
                 fast := users == 1 && count == 1
                 if fast { marker := true }
                 spin_unlock(task_lock)
             }
f_wrprotect: if fast {                           // ptep_set_wrprotect():
                 tmp := pte                      //   fast: a plain read of the PTE ...
f_store:         pte := wrprotect(tmp)           //   ... and a plain store of the result
             } else {
                 pte := wrprotect(pte)           //   else the try_cmpxchg() loop: one RMW
             }
f_clear:     atomic { spin_lock(task_lock); marker := false; spin_unlock(task_lock) }
f_unlock:    up_write(mmap_lock)
}

// get_task_mm() with the marker test outside task_lock.
process kthread {
    var slow: bool
k_peek:  slow := marker                         // READ_ONCE(marker), no task_lock
k_get:   if slow {
             down_read(mmap_lock)               // the slow path: wait for fork
k_mmget:     users := users + 1
k_wake:      up_read(mmap_lock)
         } else {                               // task_lock, mmget(): the marker is not
             atomic { spin_lock(task_lock); users := users + 1; spin_unlock(task_lock) }
         }                                      // looked at again
k_use:   skip                                   // kthread_use_mm(): loads the mm, no lock
k_write: if pte.w {                             // copy_to_user() through the PTE:
             atomic { pte.d := true; written := true }  // the walker sets Dirty, no lock
         } else {
             down_read(mmap_lock)               // or a write fault, which waits for fork
k_fault_done: up_read(mmap_lock)
         }
}

expect invariant no_lost_dirty
