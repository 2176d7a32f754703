// Per-VMA lock assertions without lockdep (seed 004, Jan 2026), soundness: a thread that
// really holds the VMA lock never trips the refcount-based checks. vma_lock_refcnt.mms, plus:
// every reader that got the read lock runs vma_assert_locked() as in v6.17 (BUG if
// vm_refcnt <= 1 and not write-locked; a reader does not hold mmap_lock, so it needs
// vm_refcnt > 1) and the v2 patch's vma_is_read_locked() (vm_refcnt > 1 and not
// is_vma_writer_only()), which must not give the false negative Vlastimil worried about; the
// writer runs vma_assert_locked() while it holds the write lock. All of them pass:
// is_vma_writer_only()'s false positive needs a detaching writer, and detaching needs the
// write lock, which excludes true readers.
spec vma_assert_heuristic_soundness

const READERS = 2
const OFF = 0x40000000          // VMA_LOCK_OFFSET
const LIMIT = OFF - 1           // VMA_REF_LIMIT
const DETACH = 1                // 1: after write-locking, the writer detaches and frees the VMA
const WAKE_ALWAYS = 0           // 1: every put that leaves vm_refcnt != 0 wakes the writer

type Rd = 1..READERS
// vm_refcnt's reachable values (a compact domain: 3 bits for the 31-bit counter)
type refcnt_t = 0..0x7fffffff values {0..READERS + 1, OFF..OFF + READERS + 1}

// VMAs come from a SLAB_TYPESAFE_BY_RCU cache (vm_area_cachep): one object here, allocated
// before the model starts. Its fields are maps over Vma; reading a freed one is legal only
// inside an RCU read-side section, anywhere else it is a use-after-free.
objects Vma[1] typesafe_by_rcu
var mseq: 0..3 = 0                          // mm->mm_lock_seq: odd while mmap_lock is write-held
var vseq: map[Vma] -1..3 = -1               // vma->vm_lock_seq, UINT_MAX (-1) initially
var ref: map[Vma] refcnt_t = 1              // vma->vm_refcnt: 1 = attached, unlocked
rcuwait vma_writer_wait                     // mm->vma_writer_wait

ghost var has_ref: map[Rd] bool = false     // reader r holds one increment of vm_refcnt
ghost var in_cs: map[Rd] bool = false       // vma_start_read() succeeded: r holds the read lock
ghost var w_cs: bool = false                // the writer holds the VMA write lock
ghost var attached: bool = true             // the attach reference is in vm_refcnt
ghost var excl: bool = false                // VMA_LOCK_OFFSET is in vm_refcnt (enter..exit_locked)
ghost var freed: bool = false               // vm_area_free(): the VMA may be reused
ghost var warned: bool = false              // a WARN_ON_ONCE(detached != expected) fired

// is_vma_writer_only(): (refcnt & VMA_LOCK_OFFSET) && refcnt <= VMA_LOCK_OFFSET + 1
def is_vma_writer_only(v) = (v & OFF) != 0 && v <= OFF + 1
// vma_refcount_put() wakes the writer when its decrement did not reach 0 and this holds
def WAKE(v) = v != 0 && (WAKE_ALWAYS == 1 || is_vma_writer_only(v))

// vma_refcount_put(): one atomic decrement that returns the old count, then maybe a wakeup
proc vma_refcount_put(vma) {
    var oldcnt: refcnt_t                             // the kernel's local int oldcnt
dec:  atomic { __refcount_dec_and_test(&ref[vma], &oldcnt); has_ref[self] := false; in_cs[self] := false }
wake: if WAKE(oldcnt - 1) {                          // !dec_and_test && is_vma_writer_only(oldcnt - 1)
wake_up:  rcuwait_wake_up(vma_writer_wait)
      } else {
no_wake:  skip
      }
}

// A step is named by the label of the point it starts from (a branch point's label names the
// step of whichever branch is taken); the labels inside a branch say which one it was.
process reader[r in Rd] fair {
    var vma: Vma = 1                                 // what mas_walk() found
rcu: rcu_read_lock()                                 // lock_vma_under_rcu(): rcu_read_lock(); mas_walk()
    // vma_start_read(mm, vma)
r0: if vseq[vma] == mseq {                           // racy early check of vm_lock_seq
r0_locked:  skip                                     // write-locked: NULL, fall back to mmap_lock
r0_unlock:  rcu_read_unlock()                        //   (inval: rcu_read_unlock())
    } else {
r0_ok:      skip
        // __refcount_inc_not_zero_limited_acquire(&vma->vm_refcnt, &oldcnt, VMA_REF_LIMIT)
r1:     if __refcount_inc_not_zero_limited_acquire(&ref[vma], NULL, LIMIT) {
r1_inc:     has_ref[self] := true
r3:         if vseq[vma] == mseq {                   // re-check after the acquire increment
r3_locked:      skip                                 // write-locked meanwhile: back off,
bo:             vma_refcount_put(vma)                //   still under RCU (the VMA may be freed)
bo_unlock:      rcu_read_unlock()                    //   then fall back to mmap_lock
            } else {
r3_ok:          in_cs[self] := true                  // vma_start_read() returns the VMA
unlock:         rcu_read_unlock()                    // lock_vma_under_rcu() returns it
cs:             assert !freed, "reader uses a freed VMA"
chk:            atomic {
                    assert ref[vma] > 1, "vma_assert_locked() (v6.17) fired in a read-lock holder"
                    assert ref[vma] > 1 && !is_vma_writer_only(ref[vma]), "vma_is_read_locked() false negative in a read-lock holder"
                }
put:            vma_refcount_put(vma)                // vma_end_read(), outside RCU
            }
        } else {
r1_fail:    rcu_read_unlock()                        // 0: detached (-EAGAIN); > LIMIT: locking
        }
    }
}

process writer fair {
    var vma: Vma = 1
a0:   mseq := mseq + 1                               // mmap_write_lock(): seqcount begin (odd)
      // vma_start_write(vma): vm_lock_seq != mm_lock_seq, so __vma_start_write()
      // __vma_enter_locked(vma, false): refcount_add_not_zero(VMA_LOCK_OFFSET)
w1:   atomic { assert ref[vma] != 0, "vma_start_write() on a detached VMA"; refcount_add_not_zero(OFF, &ref[vma]); excl := true }
w2:   rcuwait_wait_event(vma_writer_wait, ref[vma] == OFF + 1)   // the readers leave
w3:   vseq[vma] := mseq                              // WRITE_ONCE(vma->vm_lock_seq, mm_lock_seq)
      // __vma_exit_locked(): refcount_sub_and_test(VMA_LOCK_OFFSET), WARN if it reached 0
w4:   atomic { refcount_sub_and_test(OFF, &ref[vma]); excl := false; warned := warned || ref[vma] == 0; w_cs := true }
wchk: assert ref[vma] > 1 || vseq[vma] == mseq, "vma_assert_locked() (v6.17) fired in the write-lock holder"
d1:   if DETACH == 1 {
          // vma_mark_detached(vma): write-locked and attached; refcount_dec_and_test()
          if refcount_dec_and_test(&ref[vma]) {
d1_last:      attached := false                      // 1 -> 0: no readers
          } else {
d1_busy:      attached := false                      // spurious readers still hold increments
d2:           if refcount_add_not_zero(OFF, &ref[vma]) {  // __vma_enter_locked(vma, true)
d2_add:           excl := true
d3:               rcuwait_wait_event(vma_writer_wait, ref[vma] == OFF)  // vm_refcnt == VMA_LOCK_OFFSET
                  // __vma_exit_locked(): sub_and_test(VMA_LOCK_OFFSET); WARN_ON_ONCE(!detached)
d4:               atomic { refcount_sub_and_test(OFF, &ref[vma]); excl := false; warned := warned || ref[vma] != 0 }
              } else {
d2_gone:          skip                               // the readers left: the count is 0
              }
          }
          // vm_area_free(): kmem_cache_free() on the SLAB_TYPESAFE_BY_RCU cache, no grace period
d5:       atomic { free(vma); freed := true }
      } else {
nodetach: skip
      }
a9:   atomic { w_cs := false; mseq := mseq + 1 }     // mmap_write_unlock(): vma_end_write_all()
}

// I4.1: no reader holds the read lock while the writer holds the write lock
invariant excl_rw: forall r in Rd: in_cs[r] => !w_cs
// I4.2: nobody holds a reference to a freed VMA
invariant no_uaf: freed => forall r in Rd: !has_ref[r]
// I4.3: the documented vm_refcnt value table, as a sum
invariant ref_shape: ref[1] == (if attached then 1 else 0) + card({ r in Rd : has_ref[r] }) + (if excl then OFF else 0)
// Liveness: under weak fairness the writer gets through both waits (W2, D3) and finishes:
// once VMA_LOCK_OFFSET is in vm_refcnt no new reader gets in, and the last one out wakes it.
property writer_finishes: eventually writer@done
