// lock_vma_under_rcu() without the vm_mm re-check. VMAs come from a SLAB_TYPESAFE_BY_RCU
// cache: munmap frees a VMA without waiting for a grace period, and another mm's mmap may
// get the same memory at once. A reader that found the VMA in mm A's tree under
// rcu_read_lock() and then took a reference (refcount_inc_not_zero on vm_refcnt) may hold
// mm B's new VMA. Reading freed typesafe memory inside the read-side section is allowed
// (not a use-after-free); trusting its identity is the bug. The kernel re-checks
// `vma->vm_mm != mm` after taking the reference (vma_typesafe_recheck.mms).
spec vma_typesafe_no_recheck

const RECHECK = 0
objects Vma[2] typesafe_by_rcu     // two slab objects, reused; 0 is NULL
var vm_mm: map[Vma] 0..2           // 1: mm A, 2: mm B
var vm_refcnt: map[Vma] 0..2       // the attach reference + one reader
var tree_a: Vma = 0                // mm A's maple-tree slot for the faulting address

process munmap_a {                 // mm A: map, then unmap and free the VMA
  var v: Vma = 0
  mk:     v := alloc(Vma)
  init:   atomic { vm_mm[v] := 1; vm_refcnt[v] := 1 }
  pub:    tree_a := v
  unmap:  tree_a := 0              // removed from the tree
  detach: atomic { await vm_refcnt[v] == 1; vm_refcnt[v] := 0 }  // vma_mark_detached()
  del:    free(v)                  // vm_area_free(): no grace period (typesafe)
}

process mmap_b {                   // mm B: a new VMA, maybe the same memory
  var w: Vma = 0
  mk:     w := alloc(Vma)
  init:   atomic { vm_mm[w] := 2; vm_refcnt[w] := 1 }
}

process fault_a {                  // lock_vma_under_rcu(mm A, addr)
  var v: Vma = 0
  var got: Vma = 0                 // the VMA it holds read-locked
  var mm: 0..2 = 0                 // the vm_mm it read
  rcu:    rcu_read_lock()
  walk:   v := tree_a              // mas_walk()
  inc:    if v != 0 {              // vma_start_read(): __refcount_inc_not_zero()
            atomic { if vm_refcnt[v] > 0 { vm_refcnt[v] := vm_refcnt[v] + 1; got := v } }
          }
  check:  if RECHECK == 1 && got != 0 {
  ld_mm:    mm := vm_mm[got]       // READ_ONCE(vma->vm_mm): a load into a register ...
  mm_test:  if mm != 1 {           // ... then the test: another mm's VMA, back off
              atomic { vm_refcnt[got] := vm_refcnt[got] - 1; got := 0 }  // vma_end_read()
            }
          }
  unlock: rcu_read_unlock()
  use:    skip                     // handle the fault under the VMA lock
  put:    if got != 0 { atomic { vm_refcnt[got] := vm_refcnt[got] - 1; got := 0 } }
}

// the per-VMA lock's promise: the VMA lock_vma_under_rcu() returns for mm A belongs to mm A
invariant same_mm: fault_a@use && fault_a.got != 0 => vm_mm[fault_a.got] == 1

expect invariant same_mm when RECHECK == 0
expect ok when RECHECK == 1
