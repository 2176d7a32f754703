// Design B (broad write lock on the nascent mm from mm_alloc() to the end of
// setup_arg_pages()) meets binfmt_flat: load_flat_file() calls vm_mmap() on current->mm
// between setup_new_exec() and setup_arg_pages(). By then current->mm *is* the nascent mm,
// still write-locked by this very thread, so vm_mmap()'s mmap_write_lock() never returns.
// Jann found this on 3 Nov 2020 and the series stalled on it. Expected: a (self-)deadlock.
// Discussion: README.md in this folder.
spec exec_nascent_mm_broad_lock_flat

include "kernel"                       // mmap_write_lock(), mmap_write_lock_nested(), ...
// Jann's patch 1/2 (mmap locking API): the nascent mm's lock is a _nested acquisition
// with its own subclass, not a lock class of its own
proc mmap_write_lock_nascent(mm_lock) { down_write_nested(mm_lock, MMAP_LOCK_SUBCLASS_NASCENT) }

const MUTATOR = 0                       // the remote accessor only reads
const MMAP_LOCK_SUBCLASS_NASCENT = 1

type MmState = enum { NONE, NASCENT, LIVE }
type Binfmt = enum { ELF, FLAT }
type Mm = enum { OLD, NEW }

rwsem mmap_lock[Mm] class mmap_lock
rwsem exec_update_lock

var new_st: MmState = NONE
var binfmt: Binfmt in {ELF, FLAT}
ghost var vma_ok: bool = false

process execve {
e_alloc:          new_st := NASCENT                 // bprm_mm_init(): mm_alloc()
e_nascent_lock:   mmap_write_lock_nascent(mmap_lock[NEW])   // _nested, NASCENT subclass
e_stk_vma:        vma_ok := true                    // __bprm_mm_init(): lock already held
e_gup:            assert held_write(mmap_lock[NEW]), "mmap_assert_write_locked(mm)"
                                                    // get_arg_page()
e_fault:          down_read(mmap_lock[OLD])         // copy_from_user() faults on the old mm,
e_fault_done:     up_read(mmap_lock[OLD])           //   nascent lock held: NASCENT -> NORMAL
e_eul:            down_write(exec_update_lock)      // exec_mmap(), mmget(mm)
e_old_lock:       down_read(mmap_lock[OLD])
e_install:        new_st := LIVE
e_old_unlock:     up_read(mmap_lock[OLD])
e_setup_new_exec: up_write(exec_update_lock)
e_flat_mmap:      if binfmt == FLAT {
                      down_write(mmap_lock[NEW])    // load_flat_file(): vm_mmap() on current->mm
e_flat_mmap_done:     up_write(mmap_lock[NEW])
                  } else {
                      skip                          // ELF: straight to setup_arg_pages()
                  }
e_sap_use:        assert vma_ok, "setup_arg_pages() uses a stale bprm->vma"
                                                    // setup_arg_pages(): lock still held
e_sap_unlock:     up_write(mmap_lock[NEW])          //   bprm->vma = NULL; unlock; mmput()
}

process remote {
o_wait:   await new_st == LIVE
o_access: down_read(exec_update_lock)
o_got:    up_read(exec_update_lock)
o_lock:   if MUTATOR == 1 {
              down_write(mmap_lock[NEW])            // a VMA-mutating madvise (hypothetical)
o_split:      vma_ok := false
o_wunlock:    up_write(mmap_lock[NEW])
          } else {
              down_read(mmap_lock[NEW])             // e.g. access_remote_vm()
o_gup:        assert held(mmap_lock[NEW]), "mmap_assert_locked(mm)"
o_runlock:    up_read(mmap_lock[NEW])
          }
}

expect deadlock
