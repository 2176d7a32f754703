// Design B's broad nascent lock *without* patch 1/2: exec holds the nascent mm's lock with
// subclass 1 while copy_from_user() faults take the old (live) mm's lock with subclass 0,
// and dup_mmap() elsewhere still takes the live parent (subclass 0) and then the unpublished
// child with SINGLE_DEPTH_NESTING (also 1). Lockdep keys locks by (class, subclass), so it
// sees mmap_lock/1 -> mmap_lock/0 and mmap_lock/0 -> mmap_lock/1: a cycle, a splat.
// Yet no real deadlock exists: the instances differ and the nascent mm is unreachable.
// This is the false positive patch 1/2 exists to avoid, and Jason's "nested locking is
// something lockdep struggles to model". Expected: a lock-order report and NO deadlock.
// Discussion: README.md in this folder.
spec exec_nascent_mm_lockdep_order

include "kernel"                       // mmap_write_lock(), mmap_write_lock_nested(), ...
// Jann's patch 1/2 (mmap locking API): the nascent mm's lock is a _nested acquisition
// with its own subclass, not a lock class of its own
proc mmap_write_lock_nascent(mm_lock) { down_write_nested(mm_lock, MMAP_LOCK_SUBCLASS_NASCENT) }

const MUTATOR = 0                       // the remote accessor only reads
const MMAP_LOCK_SUBCLASS_NASCENT = 1    // numerically equal to SINGLE_DEPTH_NESTING
const SINGLE_DEPTH_NESTING = 1

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

// dup_mmap() before patch 1/2 (kernel/fork.c as it is): live parent, then the child.
process fork_elsewhere {
f_parent:        mmap_write_lock(mmap_lock[PARENT])                       // oldmm
f_child:         mmap_write_lock_nested(mmap_lock[CHILD], SINGLE_DEPTH_NESTING) // "Not linked in yet"
f_child_unlock:  mmap_write_unlock(mmap_lock[CHILD])
f_parent_unlock: mmap_write_unlock(mmap_lock[PARENT])
}

expect lock-order
