// execve() building the new mm the way upstream does today (design C): no "lock required"
// flag and no broad lock; every access to the new mm takes its mmap_lock briefly, and
// bprm->vma is a pointer cached in bprm_mm_init() and carried across the unlocked windows.
// Discussion: ../../../shared/seeds/mmap-lock-not-live-during-exec.txt (README.md here).
//
// With MUTATOR = 0 (nothing mutates another process's VMA tree) every property holds. With
// -D MUTATOR=1 the remote accessor may split/merge VMAs (Jann's "if someone permits
// VMA-mutating advice in process_madvise") and setup_arg_pages() then uses a stale bprm->vma:
// the hazard is latent upstream, exactly as in exec_nascent_mm_flag.mms.
// A fork elsewhere (dup_mmap: parent, then child with SINGLE_DEPTH_NESTING) shows that
// upstream's exec never nests two mmap_locks, so lockdep sees no cycle.
spec exec_nascent_mm_upstream

include "kernel"                       // mmap_write_lock(), mmap_write_lock_nested(), ...

const MUTATOR = 0               // 1: the remote accessor may mutate the VMA tree
const SINGLE_DEPTH_NESTING = 1  // lockdep subclass of dup_mmap()'s child lock

type MmState = enum { NONE, NASCENT, LIVE }   // NASCENT: only bprm->mm; LIVE: task->mm
type Binfmt = enum { ELF, FLAT }
type Mm = enum { OLD, NEW, PARENT, CHILD }     // OLD/NEW: exec's; PARENT/CHILD: a fork

rwsem mmap_lock[Mm] class mmap_lock           // one lockdep class for every mm's mmap_lock
rwsem exec_update_lock                        // signal->exec_update_lock

var new_st: MmState = NONE
var binfmt: Binfmt in {ELF, FLAT}
ghost var vma_ok: bool = false                // bprm->vma is the live, unchanged stack VMA

process execve {
e_alloc:          new_st := NASCENT                 // bprm_mm_init(): mm_alloc()
e_stk_lock:       down_write(mmap_lock[NEW])        // create_init_stack_vma()
e_stk_vma:        vma_ok := true                    //   insert the stack VMA; bprm->vma = vma
e_stk_unlock:     up_write(mmap_lock[NEW])
                  // copy_strings(): one argument page
e_gup_lock:       down_read(mmap_lock[NEW])         // get_arg_page(): mmap_read_lock_maybe_expand()
e_gup:            assert held(mmap_lock[NEW]), "mmap_assert_locked(mm)"  // get_user_pages_remote()
e_gup_unlock:     up_read(mmap_lock[NEW])
e_fault:          down_read(mmap_lock[OLD])         // copy_from_user() faults on the old mm
e_fault_done:     up_read(mmap_lock[OLD])
                  // begin_new_exec() -> exec_mmap()
e_eul:            down_write(exec_update_lock)
e_old_lock:       down_read(mmap_lock[OLD])
e_install:        new_st := LIVE                    // task_lock(); tsk->mm = mm; task_unlock()
e_old_unlock:     up_read(mmap_lock[OLD])
e_setup_new_exec: up_write(exec_update_lock)        // setup_new_exec()
e_flat_mmap:      if binfmt == FLAT {
                      down_write(mmap_lock[NEW])    // load_flat_file(): vm_mmap() on current->mm
e_flat_mmap_done:     up_write(mmap_lock[NEW])
                  } else {
                      skip                          // ELF: straight to setup_arg_pages()
                  }
e_sap_lock:       down_write(mmap_lock[NEW])        // setup_arg_pages()
e_sap_use:        assert vma_ok, "setup_arg_pages() uses a stale bprm->vma"
e_sap_unlock:     up_write(mmap_lock[NEW])
}

// A remote accessor of the task's mm (ptrace, /proc/pid/mem, process_madvise): mm_access()
// under exec_update_lock, then GUP or madvise under the mm's mmap_lock. It matters only once
// exec installed the new mm (an accessor that got the old mm is irrelevant here).
process remote {
o_wait:   await new_st == LIVE
o_access: down_read(exec_update_lock)               // mm_access()
o_got:    up_read(exec_update_lock)                 //   get_task_mm() done
o_lock:   if MUTATOR == 1 {
              down_write(mmap_lock[NEW])            // a VMA-mutating madvise (hypothetical)
o_split:      vma_ok := false                       //   splits/merges the stack VMA
o_wunlock:    up_write(mmap_lock[NEW])
          } else {
              down_read(mmap_lock[NEW])             // access_remote_vm()
o_gup:        assert held(mmap_lock[NEW]), "mmap_assert_locked(mm)"
o_runlock:    up_read(mmap_lock[NEW])
          }
}

// dup_mmap() of an unrelated process, as in kernel/fork.c today.
process fork_elsewhere {
f_parent:        mmap_write_lock(mmap_lock[PARENT])                       // oldmm
f_child:         mmap_write_lock_nested(mmap_lock[CHILD], SINGLE_DEPTH_NESTING) // "Not linked in yet"
f_child_unlock:  mmap_write_unlock(mmap_lock[CHILD])
f_parent_unlock: mmap_write_unlock(mmap_lock[PARENT])
}
