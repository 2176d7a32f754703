// Dave's handshake (fork_wrprotect_handshake.mms) plus one path he expected to miss: code
// that takes an mm_count reference from task->mm under task_lock without looking at the
// marker (Linus's example: pages->source_mm = current->mm; mmgrab(pages->source_mm)) and
// later turns it into a user reference with mmget_not_zero(). Fork tests mm_count == 1 before
// the mmgrab, so it chooses the fast path; the new user then stores through the PTE between
// fork's load and store. The handshake is only sound if every path honours the marker.
// Discussion: README.md in this folder.
spec fork_wrprotect_handshake_with_mmgrab_hole

rwsem mmap_lock
spinlock task_lock

include "pte.mmsi"

var pte: pte_t = _PAGE_RW
var users: 1..3 = 1
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

// An unconverted user: task_lock + mmgrab() (ignores the marker), later mmget_not_zero().
process mmgrab_user {
    var pf: bool                                  // the store faulted: the PTE was read-only
g_grab:  atomic { spin_lock(task_lock); count := count + 1; spin_unlock(task_lock) }
g_get:   users := users + 1                     // mmget_not_zero(): mm_users >= 1, succeeds
g_use:   skip                                   // kthread_use_mm()
g_write: atomic {                               // copy_to_user() through the PTE: one locked
             // update by the walker, atomic in hardware (README, "the walker"): Dirty only
             // while the PTE is writable, else the store faults (#PF)
             if test_bit(_PAGE_BIT_RW, &pte) { set_bit(_PAGE_BIT_DIRTY, &pte); written := true } else { pf := true }
         }
g_fault: if pf {                                // the write fault, later, in steps of its own:
             down_read(mmap_lock)               // it waits for fork
g_fault_done: up_read(mmap_lock)
         }
}

expect invariant no_lost_dirty
