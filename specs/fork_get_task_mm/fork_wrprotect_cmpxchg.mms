// What shipped with x86 user shadow stacks (v6.6, Rick Edgecombe's v9): ptep_set_wrprotect()
// always uses a try_cmpxchg() loop, "all being done just one way". A successful iteration is
// one atomic read-modify-write of the PTE, so the hardware's Dirty update either lands before
// it (and moves to SavedDirty) or faults after it. No mm_users / mm_count test, so it does not
// matter who can take a reference to the mm. Discussion: README.md in this folder.
spec fork_wrprotect_cmpxchg

rwsem mmap_lock
spinlock task_lock

include "pte.mmsi"

var pte: pte_t = _PAGE_RW
var users: 1..2 = 1
ghost var written: bool = false

invariant no_shstk_pte: !(!pte_write(pte) && pte_dirty(pte))            // I2.1
invariant no_lost_dirty: written => (pte_dirty(pte) || pte_saved_dirty(pte)) // I2.2

process fork {
    var old: pte_t
    var new: pte_t
    var ok: bool
f_lock:   down_write(mmap_lock)
f_wp:     old := pte                              // ptep_set_wrprotect(): READ_ONCE(*ptep)
f_loop:   while !ok {                             // do { ... } while (!try_cmpxchg(...))
f_calc:       new := pte_wrprotect(old)
f_try:        ok := try_cmpxchg(&pte, &old, new)
          }
f_unlock: up_write(mmap_lock)
}

process kthread {
    var pf: bool                                  // the store faulted: the PTE was read-only
k_get:   atomic { spin_lock(task_lock); users := users + 1; spin_unlock(task_lock) }
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
