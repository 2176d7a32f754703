// Design A (Jann Horn, Sep 2020, "[PATCH 3/4] mmap locking API: Don't check locking if the
// mm isn't live yet"): a debug-only mm->mmap_lock_required flag, set in exec_mmap() just
// before the new mm is installed; mmap_assert_locked() checks only when it is set, so GUP
// on the nascent mm (get_arg_page) runs with no lock at all.
// The flag keeps the assertions honest (flag_covers_live holds), but it does nothing for the
// problem Jann raised himself: bprm->vma is cached in bprm_mm_init() and used again in
// setup_arg_pages() after the mm went live and exec_update_lock was released. A remote
// accessor that may mutate the VMA tree (MUTATOR = 1) makes that pointer stale.
// Discussion: README.md in this folder.
spec exec_nascent_mm_flag

const MUTATOR = 1               // the remote accessor may split/merge VMAs

type MmState = enum { NONE, NASCENT, LIVE }
type Mm = enum { OLD, NEW }

rwsem mmap_lock[Mm] class mmap_lock
rwsem exec_update_lock

var new_st: MmState = NONE
var lock_required: bool = false               // mm->mmap_lock_required (debug builds)
ghost var vma_ok: bool = false

// P0.1 for design A: the flag's exemption may only cover a mm that is not live yet.
invariant flag_covers_live: new_st == LIVE => lock_required

process execve {
e_alloc:          new_st := NASCENT
e_stk_lock:       down_write(mmap_lock[NEW])        // __bprm_mm_init()
e_stk_vma:        vma_ok := true
e_stk_unlock:     up_write(mmap_lock[NEW])
e_gup:            assert !lock_required || held(mmap_lock[NEW]), "mmap_assert_locked(mm)"
                                                    // get_arg_page(): GUP, no lock
e_fault:          down_read(mmap_lock[OLD])         // copy_from_user() faults on the old mm
e_fault_done:     up_read(mmap_lock[OLD])
e_eul:            down_write(exec_update_lock)      // exec_mmap()
e_old_lock:       down_read(mmap_lock[OLD])
e_flag:           lock_required := true             //   mm->mmap_lock_required = 1
e_install:        new_st := LIVE                    //   task_lock(); tsk->mm = mm; task_unlock()
e_old_unlock:     up_read(mmap_lock[OLD])
e_setup_new_exec: up_write(exec_update_lock)
e_sap_lock:       down_write(mmap_lock[NEW])        // setup_arg_pages()
e_sap_use:        assert vma_ok, "setup_arg_pages() uses a stale bprm->vma"
e_sap_unlock:     up_write(mmap_lock[NEW])
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
o_gup:        assert !lock_required || held(mmap_lock[NEW]), "mmap_assert_locked(mm)"
o_runlock:    up_read(mmap_lock[NEW])
          }
}

expect assertion "stale bprm->vma"
