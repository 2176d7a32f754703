// fork() write-protecting the parent's PTE with Linus's "mm_users == 1" fast path
// (x86 user shadow stacks, May 2023), and Dave Hansen's CPU-1/CPU-2 counterexample:
// get_task_mm() bumps mm_users under task_lock() *after* fork looked at it, and a kthread
// then stores through the parent's page tables with no lock at all.
// Discussion: ../../../shared/seeds/fork-vs-get-task-mm-race.txt (README.md in this folder).
//
// Shadow-stack PTEs are Write=0,Dirty=1, so pte_wrprotect() moves Dirty into the software
// SavedDirty bit: (W, D, SD) -> (0, 0, SD|D). The fast path does that with a plain load and a
// plain store; the hardware page walker can set Dirty in between, and the store wipes it.
spec fork_wrprotect_users1_fastpath

const BOTH_ONE = 0      // 1: Linus's refinement, "fast only if mm_users == 1 && mm_count == 1"

rwsem mmap_lock          // the parent mm's mmap_lock
spinlock task_lock       // task_lock(parent)

include "pte.mmsi"

var pte: pte_t = _PAGE_RW                             // a writable, clean, private COW page
var users: 1..2 = 1                                   // mm_users: only the forking task
var count: 1..2 = 1                                   // mm_count
ghost var written: bool = false                       // the CPU stored through this PTE

invariant no_shstk_pte: !(!pte_write(pte) && pte_dirty(pte))            // I2.1: never W=0,D=1 by accident
invariant no_lost_dirty: written => (pte_dirty(pte) || pte_saved_dirty(pte)) // I2.2: a store is never forgotten

// copy_present_pte() -> ptep_set_wrprotect(src_mm, ...) on the parent's COW PTE.
process fork {
    var fast: bool
    var tmp: pte_t
    var old: pte_t
    var new: pte_t
    var ok: bool
f_lock:      down_write(mmap_lock)               // dup_mmap(): mmap_write_lock_killable(oldmm)
f_decide:    fast := users == 1 && (BOTH_ONE == 0 || count == 1)  // atomic_read(&mm->mm_users)
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
f_unlock:    up_write(mmap_lock)
}

// get_task_mm() + kthread_use_mm() + copy_to_user(): needs neither mm_count nor mmap_lock.
process kthread {
    var pf: bool                                  // the store faulted: the PTE was read-only
k_get:   atomic { spin_lock(task_lock); users := users + 1; spin_unlock(task_lock) }  // mmget()
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

expect invariant no_lost_dirty
