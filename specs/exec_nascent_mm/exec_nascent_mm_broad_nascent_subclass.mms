// Design B as Jann posted it in Oct 2020 (v2, suggested by Jason Gunthorpe and Michel
// Lespinasse): lock the nascent mm for write right after mm_alloc() with the lockdep subclass
// MMAP_LOCK_SUBCLASS_NASCENT and keep it locked through exec_mmap() until the end of
// setup_arg_pages() ("[PATCH v2 2/2] exec: Broadly lock nascent mm until setup_arg_pages()"),
// together with patch 1/2, which turns dup_mmap() around so the nascent child is locked
// *before* the live parent: "nascent" always nests outside "live".
// With an ELF binary every property holds, including with a VMA-mutating remote accessor:
// it blocks on the new mm's lock until setup_arg_pages() is done with bprm->vma (Jann's
// stated gain). binfmt_flat breaks it: exec_nascent_mm_broad_lock_flat.mms.
// Discussion: README.md in this folder.
spec exec_nascent_mm_broad_nascent_subclass

include "kernel"                       // mmap_write_lock(), mmap_write_lock_nested(), ...
// Jann's patch 1/2 (mmap locking API): the nascent mm's lock is a _nested acquisition
// with its own subclass, not a lock class of its own
proc mmap_write_lock_nascent(mm_lock) { down_write_nested(mm_lock, MMAP_LOCK_SUBCLASS_NASCENT) }

const MUTATOR = 1                       // the remote accessor may split/merge VMAs
const MMAP_LOCK_SUBCLASS_NASCENT = 1    // enum { MMAP_LOCK_SUBCLASS_NORMAL = 0, ..._NASCENT }

type MmState = enum { NONE, NASCENT, LIVE }
type Mm = enum { OLD, NEW, PARENT, CHILD }

rwsem mmap_lock[Mm] class mmap_lock
rwsem exec_update_lock

var new_st: MmState = NONE
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

// dup_mmap() after patch 1/2: the nascent child first, then the live parent.
process fork_elsewhere {
f_child:         mmap_write_lock_nascent(mmap_lock[CHILD])
f_parent:        mmap_write_lock(mmap_lock[PARENT]) // mmap_write_lock_killable(oldmm)
f_parent_unlock: mmap_write_unlock(mmap_lock[PARENT]) // out: mmap_write_unlock(oldmm)
f_child_unlock:  mmap_write_unlock(mmap_lock[CHILD]) // after uprobe_end_dup_mmap()
}
