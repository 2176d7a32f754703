// What shipped with x86 user shadow stacks (v6.6, Rick Edgecombe's v9): ptep_set_wrprotect()
// always uses a try_cmpxchg() loop, "all being done just one way". A successful iteration is
// one atomic read-modify-write of the PTE, so the hardware's Dirty update either lands before
// it (and moves to SavedDirty) or faults after it. No mm_users / mm_count test, so it does not
// matter who can take a reference to the mm. Discussion: README.md in this folder.
spec fork_wrprotect_cmpxchg

rwsem mmap_lock
spinlock task_lock

type Pte = record { w: bool, d: bool, sd: bool }
def wrprotect(p) = { w: false, d: false, sd: p.sd || p.d }

var pte: Pte = { w: true, d: false, sd: false }
var users: 1..2 = 1
ghost var written: bool = false

invariant no_shstk_pte: !(!pte.w && pte.d)            // I2.1
invariant no_lost_dirty: written => (pte.d || pte.sd) // I2.2

process fork {
f_lock:   down_write(mmap_lock)
f_wp:     pte := wrprotect(pte)                   // try_cmpxchg() loop, collapsed
f_unlock: up_write(mmap_lock)
}

process kthread {
k_get:   atomic { spin_lock(task_lock); users := users + 1; spin_unlock(task_lock) }
k_use:   skip                                   // kthread_use_mm(): loads the mm, no lock
k_write: if pte.w {                             // copy_to_user() through the PTE:
             atomic { pte.d := true; written := true }  // the walker sets Dirty, no lock
         } else {
             down_read(mmap_lock)               // or a write fault, which waits for fork
k_fault_done: up_read(mmap_lock)
         }
}
