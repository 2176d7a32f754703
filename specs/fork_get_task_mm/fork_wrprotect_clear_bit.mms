// The pre-shadow-stack ptep_set_wrprotect(): clear_bit(_PAGE_BIT_RW, &pte). It is atomic,
// so no Dirty bit is lost, but it leaves Dirty where it is: a PTE the hardware dirtied while
// fork ran becomes W=0,D=1, which on a shadow-stack CPU *is* a shadow-stack page.
// That is why pte_wrprotect() learned to move D into SavedDirty, and why that move has to
// be atomic (fork_wrprotect_cmpxchg.mms). Discussion: README.md in this folder.
spec fork_wrprotect_clear_bit

const DIRTY0 = 0        // 1: the PTE is already dirty before fork: fails with fork alone

rwsem mmap_lock
spinlock task_lock

include "pte.mmsi"

var pte: pte_t = _PAGE_RW | (if DIRTY0 == 1 then _PAGE_DIRTY else 0)
var users: 1..2 = 1
ghost var written: bool = false

invariant no_shstk_pte: !(!pte_write(pte) && pte_dirty(pte))            // I2.1
invariant no_lost_dirty: written => (pte_dirty(pte) || pte_saved_dirty(pte)) // I2.2

process fork {
f_lock:   down_write(mmap_lock)
f_wp:     clear_bit(_PAGE_BIT_RW, &pte)           // atomic, D stays
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

expect invariant no_shstk_pte
