// mlockall(MCL_INHERIT) patch (seed 003), counterexample D: fork's memcpy of the parent mm
// runs without mmap_sem, so it can copy mcl_inherit and locked_vm half-way through a sibling
// thread's mlockall(). The child then keeps (mcl_inherit set) a locked_vm that misses the
// VMAs locked after the copy, while dup_mmap(), under mmap_sem, copies all of them locked.
// T1: mlockall(MCL_CURRENT|MCL_INHERIT); T2 (same mm, CLONE_VM): fork -> C, concurrently.
// Lesson: any field inherited through dup_mm()'s unlocked memcpy must be reset in mm_init()
// or recomputed under the parent's mmap_sem in dup_mmap().
// Only P3.1 is checked here: a fork racing an mlockall() may legitimately take either side
// (the child with no inheritance at all is a fine outcome), so P3.2/P3.3 are left to the
// sequential scenarios; mlockall_inherit_corrected checks them under this race too.
spec mlockall_inherit_memcpy_race

type Mm = enum { P, C, G, N }               // P: the first process; C: its child; G: a grandchild; N: the mm exec builds
type Vid = enum { VA, VB }                  // two VMAs: VA has 2 pages, VB has 1
type Mcl = enum { NONE, INH, INH_REC }      // mm->mcl_inherit: 0, MCL_INHERIT, MCL_INHERIT|MCL_RECURSIVE
type Binfmt = enum { ELF, FLAT }

rwsem ML[Mm] class mmap_lock                // mm->mmap_sem

var def_locked: map[Mm] bool = false        // VM_LOCKED in mm->def_flags (MCL_FUTURE)
var mcl: map[Mm] Mcl = NONE                 // mm->mcl_inherit
var locked_vm: map[Mm] 0..3 = 0             // mm->locked_vm, in pages
var mapped: map[Mm] set[Vid] = [m in Mm |-> if m == P then {VA, VB} else {}]
var vlocked: map[Mm] set[Vid] = {}          // the VMAs with VM_LOCKED in vm_flags
var dontcopy_b: bool = false                // VB is VM_DONTCOPY
var binfmt: Binfmt = ELF                    // unused here: no exec

// What Lee's documented semantics give a new mm, computed when it is born from its parent's
// state at that moment (under the parent's mmap_sem for fork). Only properties read them.
ghost var live: map[Mm] bool = [m in Mm |-> m == P]   // installed (fork or exec finished)
ghost var fresh: map[Mm] bool = false       // born by fork/exec; its task has not called mlockall
ghost var imcl: map[Mm] Mcl = NONE          // the mcl_inherit the mm should carry
ghost var exp_def: map[Mm] bool = false     // the mm should have VM_LOCKED in def_flags
ghost var exp_locked: map[Mm] set[Vid] = {} // the VMAs that should be VM_LOCKED

def pages_locked(m) = (if VA in vlocked[m] then 2 else 0) + (if VB in vlocked[m] then 1 else 0)
def dontcopy(v) = dontcopy_b && v == VB     // VM_DONTCOPY (madvise(MADV_DONTFORK))
// "MCL_RECURSIVE: inherit ... for all future generations ... until a descendant invokes
// mlockall() without MCL_INHERIT": the child's mcl_inherit, from its parent's
def inherit_mcl(x) = if x == INH_REC then INH_REC else NONE

// ---- kernel code: 2.6.28-rc7-mmotm with Lee Schermerhorn's MCL_INHERIT/MCL_RECURSIVE patch
// sys_mlockall() -> do_mlockall(flags) under down_write(&mm->mmap_sem)
proc mlockall(m, cur, fut, inh, rec) {
lock:   down_write(ML[m])
flags:  atomic {
            def_locked[m] := fut                     // mm->def_flags = FUTURE ? VM_LOCKED : 0
            if inh { mcl[m] := if rec then INH_REC else INH }   // only when MCL_INHERIT is given
            imcl[m] := if inh then (if rec then INH_REC else INH) else NONE
            fresh[m] := false
        }
        // 2.6.28: if (flags == MCL_FUTURE) goto out; else mlock_fixup() on every VMA, errors
        // ignored (the loop runs unless the flags are exactly MCL_FUTURE)
va:     atomic {                                     // mlock_fixup() on VA
            if !(fut && !cur && !inh && !rec) && VA in mapped[m] && cur != (VA in vlocked[m]) {
                assert cur, "mlockall() without MCL_CURRENT changed an existing mlock"
                vlocked[m] := if cur then vlocked[m] union {VA} else vlocked[m] minus {VA}
                locked_vm[m] := if cur then locked_vm[m] + 2 else locked_vm[m] - 2
            }
        }
vb:     atomic {                                     // mlock_fixup() on VB
            if !(fut && !cur && !inh && !rec) && VB in mapped[m] && cur != (VB in vlocked[m]) {
                assert cur, "mlockall() without MCL_CURRENT changed an existing mlock"
                vlocked[m] := if cur then vlocked[m] union {VB} else vlocked[m] minus {VB}
                locked_vm[m] := if cur then locked_vm[m] + 1 else locked_vm[m] - 1
            }
        }
unlock: up_write(ML[m])
}

// fork(): dup_mm() -> memcpy + mm_init() + dup_mmap(), run by a thread of m, child mm c
proc fork(m, c) {
copy:   def_locked[c], mcl[c], locked_vm[c] := def_locked[m], mcl[m], locked_vm[m]   // memcpy(mm, oldmm), no lock
init:   atomic {                                     // mm_init(mm, p), no lock
            def_locked[c] := mcl[m] != NONE && def_locked[m]   // current->mm->mcl_inherit ? def_flags & VM_LOCKED : 0
            if mcl[c] == INH_REC && mcl[m] != NONE { mcl[c] := mcl[m] }   // tests the NEW mm's field
        }
lock:   down_write(ML[m])                            // dup_mmap(): the parent's mmap_sem (the
                                                     // child's, nested, guards nothing here)
reset:  atomic {
            if mcl[c] == NONE { locked_vm[c] := 0 }   // if (!mm->mcl_inherit) mm->locked_vm = 0
            // ghost: what the semantics give the child (fork is linearised here)
            imcl[c] := inherit_mcl(imcl[m])
            exp_def[c] := imcl[m] != NONE && def_locked[m]
            exp_locked[c] := if imcl[m] != NONE then { v in Vid : v in vlocked[m] && !dontcopy(v) } else {}
        }
va:     atomic {                                     // copy VA unless VM_DONTCOPY (total_vm only)
            if VA in mapped[m] && !dontcopy(VA) {
                mapped[c] := mapped[c] union {VA}
                if VA in vlocked[m] && mcl[c] != NONE { vlocked[c] := vlocked[c] union {VA} }
            }
        }
vb:     atomic {
            if VB in mapped[m] && !dontcopy(VB) {
                mapped[c] := mapped[c] union {VB}
                if VB in vlocked[m] && mcl[c] != NONE { vlocked[c] := vlocked[c] union {VB} }
            }
        }
unlock: atomic { up_write(ML[m]); live[c] := true; fresh[c] := true }
}

// execve() by the only thread of m, building n
proc exec(m, n) {
alloc:  atomic {                                     // bprm_mm_init(): mm_alloc() = memset 0 + mm_init()
            def_locked[n] := mcl[m] != NONE && def_locked[m]   // mcl_inherit of the new mm is 0: no RECURSIVE copy
            // ghost: what the semantics give the new program
            imcl[n] := inherit_mcl(imcl[m])
            exp_def[n] := imcl[m] != NONE && def_locked[m]
            exp_locked[n] := {}
        }
install: atomic { live[m] := false; live[n] := true }   // flush_old_exec() -> exec_mmap(): point of no return
load:   if binfmt == ELF {
elf:        atomic {                                 // load_elf_binary(): values read before flush_old_exec()
                def_locked[n] := mcl[m] != NONE && def_locked[m]
                mcl[n] := if mcl[m] == INH_REC then INH_REC else NONE
                fresh[n] := true
            }
        } else {
flat:       fresh[n] := true                         // load_flat_binary(): no such code
        }
}

// do_mmap() of a new segment in the new program: VM_LOCKED from def_flags, counted in
// locked_vm (mm_populate). One step: nobody else uses the new mm yet.
proc mmap_segment(n) {
seg:    atomic {
            mapped[n] := mapped[n] union {VA}
            if def_locked[n] { vlocked[n] := vlocked[n] union {VA}; locked_vm[n] := locked_vm[n] + 2 }
            if exp_def[n] { exp_locked[n] := exp_locked[n] union {VA} }
        }
}
// ---- end of kernel code

process t1 {                                // a thread of P
ml:     mlockall(P, true, false, true, false)        // MCL_CURRENT | MCL_INHERIT
}

process t2 {                                // another thread of P (CLONE_VM)
fk:     fork(P, C)
}

// P3.1: locked_vm counts exactly the pages of VM_LOCKED VMAs, whenever mmap_sem is free
invariant accounting: forall m in Mm: (live[m] && !locked(ML[m])) => locked_vm[m] == pages_locked(m)

expect invariant accounting
