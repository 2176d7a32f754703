// Dave Hansen's alternative (May 2023): keep the non-atomic fast path, but make it safe
// against get_task_mm(). Under task_lock, fork checks mm_users == 1 && mm_count == 1 and sets
// a "fork in progress" marker ("task_doing_fast_fork"); get_task_mm() checks the marker under
// the same task_lock and, if set, drops task_lock and takes mmap_lock for read, which sleeps
// until fork is done, before mmget(). The check and the act now share a lock, so nobody can
// gain a user reference between fork's test and its PTE store.
// Sound only if *every* path that creates a reference honours the marker: see
// fork_wrprotect_handshake_with_mmgrab_hole.mms and fork_wrprotect_check_outside_lock.mms.
// Discussion: README.md in this folder.
spec fork_wrprotect_handshake

rwsem mmap_lock
spinlock task_lock

include "pte.mmsi"

var pte: pte_t = _PAGE_RW
var users: 1..2 = 1
var count: 1..2 = 1
var marker: bool = false                              // fork in progress, fast path chosen
ghost var written: bool = false

invariant no_shstk_pte: !(!pte_write(pte) && pte_dirty(pte))            // I2.1
invariant no_lost_dirty: written => (pte_dirty(pte) || pte_saved_dirty(pte)) // I2.2

process fork {
    var fast: bool
    var tmp: pte_t
    var old: pte_t
    var new: pte_t
    var ok: bool
f_lock:      down_write(mmap_lock)
f_decide:    atomic {                            // under task_lock: both counts, then mark
                 spin_lock(task_lock)
                 fast := users == 1 && count == 1
                 if fast { marker := true }
                 spin_unlock(task_lock)
             }
f_wrprotect: if fast {                           // ptep_set_wrprotect():
                 tmp := pte                      //   fast: a plain read of the PTE ...
f_store:         pte := pte_wrprotect(tmp)           //   ... and a plain store of the result
             } else {                            //   else the try_cmpxchg() loop:
                 old := pte                      //   old_pte = READ_ONCE(*ptep)
f_loop:          while !ok {                     //   do { ... } while (!try_cmpxchg())
f_calc:              new := pte_wrprotect(old)
f_try:               ok := try_cmpxchg(&pte, &old, new)
                 }
             }
f_clear:     atomic { spin_lock(task_lock); marker := false; spin_unlock(task_lock) }
f_unlock:    up_write(mmap_lock)
}

// get_task_mm() with the slow path.
process kthread {
    var pf: bool                                  // the store faulted: the PTE was read-only
    var slow: bool
k_get:   atomic {                               // get_task_mm(): under task_lock
             spin_lock(task_lock)
             slow := marker
             if !slow { users := users + 1 }    // the legacy fast path: mmget()
             spin_unlock(task_lock)
         }
k_wait:  if slow {                              // the slow path:
             down_read(mmap_lock)               //   sleeps until fork drops mmap_lock
k_mmget:     users := users + 1
k_wake:      up_read(mmap_lock)
         } else {
             skip                               // fast: the reference is already taken
         }
k_use:   skip                                   // kthread_use_mm(): loads the mm, no lock
k_write: atomic {                               // copy_to_user() through the PTE: one locked
             // update by the walker, atomic in hardware (README, "the walker"): Dirty only
             // while the PTE is writable, else the store faults (#PF)
             if test_bit(_PAGE_BIT_RW, &pte) { set_bit(_PAGE_BIT_DIRTY, &pte); written := true } else { pf := true }
         }
k_fault: if pf {                                // the write fault, later, in steps of its own:
             down_read(mmap_lock)               // it waits for fork
k_fault_done: up_read(mmap_lock)
         }
}
