// mlockall(MCL_INHERIT|MCL_RECURSIVE) done right (the "corrected design" of the protocol notes
// for seed 003): mm_init() resets mcl_inherit, def_flags and locked_vm; dup_mmap() computes
// them from the parent under the parent's mmap_sem, counting locked_vm as it copies; exec
// inherits in generic code for every binfmt; mlockall() without MCL_INHERIT clears
// mcl_inherit. P3.1-P3.4 hold in every scenario of the buggy variants, including the race.
// P: T1 mlockall(flags), flags in {CURRENT|FUTURE|INHERIT, CURRENT|FUTURE|INHERIT|RECURSIVE,
// CURRENT|INHERIT}, racing T2's fork -> C (VB may be VM_DONTCOPY); C may call
// mlockall(MCL_CURRENT), then forks G, or execs N (no binfmt-specific code), which maps a
// segment and forks G.
spec mlockall_inherit_corrected

type Mm = enum { P, C, G, N }               // P: the first process; C: its child; G: a grandchild; N: the mm exec builds
type Vid = enum { VA, VB }                  // two VMAs: VA has 2 pages, VB has 1
type Mcl = enum { NONE, INH, INH_REC }      // mm->mcl_inherit: 0, MCL_INHERIT, MCL_INHERIT|MCL_RECURSIVE

rwsem ML[Mm] class mmap_lock                // mm->mmap_sem

var def_locked: map[Mm] bool = false        // VM_LOCKED in mm->def_flags (MCL_FUTURE)
var mcl: map[Mm] Mcl = NONE                 // mm->mcl_inherit
var locked_vm: map[Mm] 0..3 = 0             // mm->locked_vm, in pages
var mapped: map[Mm] set[Vid] = [m in Mm |-> if m == P then {VA, VB} else {}]
var vlocked: map[Mm] set[Vid] = {}          // the VMAs with VM_LOCKED in vm_flags
var dontcopy_b: bool in {false, true}       // VB is VM_DONTCOPY

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

// ---- kernel code: a corrected MCL_INHERIT design. Every inherited field is reset in
// mm_init() and computed under the parent's mmap_sem in dup_mmap(); exec does the same in
// generic code for every binfmt; any mlockall() sets mcl_inherit (clearing it without
// MCL_INHERIT); upstream's "!(flags & MCL_CURRENT)" early-out.
proc mlockall(m, cur, fut, inh, rec) {
lock:   down_write(ML[m])
flags:  atomic {
            def_locked[m] := fut
            mcl[m] := if inh then (if rec then INH_REC else INH) else NONE
            imcl[m] := if inh then (if rec then INH_REC else INH) else NONE
            fresh[m] := false
        }
        // if (!(flags & MCL_CURRENT)) goto out; else mlock_fixup() on every VMA
va:     atomic {                                     // mlock_fixup() on VA
            if cur && VA in mapped[m] && cur != (VA in vlocked[m]) {
                assert cur, "mlockall() without MCL_CURRENT changed an existing mlock"
                vlocked[m] := if cur then vlocked[m] union {VA} else vlocked[m] minus {VA}
                locked_vm[m] := if cur then locked_vm[m] + 2 else locked_vm[m] - 2
            }
        }
vb:     atomic {                                     // mlock_fixup() on VB
            if cur && VB in mapped[m] && cur != (VB in vlocked[m]) {
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
init:   def_locked[c], mcl[c], locked_vm[c] := false, NONE, 0   // mm_init(): reset all of them
lock:   down_write(ML[m])                            // dup_mmap(): the parent's mmap_sem
inherit: atomic {                                    // dup_mmap(), under the lock: from the parent
            mcl[c] := inherit_mcl(mcl[m])
            def_locked[c] := mcl[m] != NONE && def_locked[m]
            // ghost: what the semantics give the child (fork is linearised here)
            imcl[c] := inherit_mcl(imcl[m])
            exp_def[c] := imcl[m] != NONE && def_locked[m]
            exp_locked[c] := if imcl[m] != NONE then { v in Vid : v in vlocked[m] && !dontcopy(v) } else {}
        }
va:     atomic {                                     // copy VA unless VM_DONTCOPY; count what stays locked
            if VA in mapped[m] && !dontcopy(VA) {
                mapped[c] := mapped[c] union {VA}
                if VA in vlocked[m] && mcl[m] != NONE { vlocked[c] := vlocked[c] union {VA}; locked_vm[c] := locked_vm[c] + 2 }
            }
        }
vb:     atomic {
            if VB in mapped[m] && !dontcopy(VB) {
                mapped[c] := mapped[c] union {VB}
                if VB in vlocked[m] && mcl[m] != NONE { vlocked[c] := vlocked[c] union {VB}; locked_vm[c] := locked_vm[c] + 1 }
            }
        }
unlock: atomic { up_write(ML[m]); live[c] := true; fresh[c] := true }
}

// execve() by the only thread of m, building n
proc exec(m, n) {
alloc:  atomic {                                     // bprm_mm_init(): mm_alloc() = zeroed + mm_init()
            def_locked[n] := false
            // ghost: what the semantics give the new program
            imcl[n] := inherit_mcl(imcl[m])
            exp_def[n] := imcl[m] != NONE && def_locked[m]
            exp_locked[n] := {}
        }
install: atomic { live[m] := false; live[n] := true }   // exec_mmap()
inherit: atomic {                                    // generic exec code, any binfmt, from the old
            def_locked[n] := mcl[m] != NONE && def_locked[m]   // mm's values saved before exec_mmap()
            mcl[n] := inherit_mcl(mcl[m])
            fresh[n] := true
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
        either {
ml_cfi:     mlockall(P, true, true, true, false)     // MCL_CURRENT | MCL_FUTURE | MCL_INHERIT
        } or {
ml_cfir:    mlockall(P, true, true, true, true)      // ... | MCL_RECURSIVE
        } or {
ml_ci:      mlockall(P, true, false, true, false)    // MCL_CURRENT | MCL_INHERIT
        }
}

process t2 {                                // another thread of P (CLONE_VM)
fk:     fork(P, C)
}

process task_c {                            // the child, once fork() has returned
run:    await live[C]
        either {
keep:       skip
        } or {
ml:         mlockall(C, true, false, false, false)   // MCL_CURRENT: ends the inheritance
        }
        either {
fk:         fork(C, G)
        } or {
ex:         exec(C, N)
mm:         mmap_segment(N)
fk2:        fork(N, G)
        }
}

// P3.1: locked_vm counts exactly the pages of VM_LOCKED VMAs, whenever mmap_sem is free
invariant accounting: forall m in Mm: (live[m] && !locked(ML[m])) => locked_vm[m] == pages_locked(m)
// P3.2 (and "mlockall() without MCL_INHERIT clears"): a new mm gets no mlock state beyond
// what its parent passes on: plain MCL_INHERIT reaches one generation only
invariant no_extra_inheritance: forall m in Mm: fresh[m] => (def_locked[m] => exp_def[m]) && vlocked[m] subseteq exp_locked[m]
// P3.3: everything the parent passes on arrives, by any fork/exec path and binfmt
invariant no_lost_inheritance: forall m in Mm: fresh[m] => (exp_def[m] => def_locked[m]) && exp_locked[m] subseteq vlocked[m]
