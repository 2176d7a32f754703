// vma_start_read() with a *relaxed* increment of vm_refcnt before the vm_lock_seq re-check
// (README.md). Under sc every property holds; under lkmm the re-check may be satisfied from
// before the increment and the reader enters while the writer holds the write lock.
spec vma_read_relaxed_inc
option memory = lkmm

const OFF = 4          // VMA_LOCK_OFFSET (any value above every reader count)

var ref: 0..7 = 1      // vma->vm_refcnt: 1 = attached, + readers, + OFF while excluding
var vseq: 0..1 = 0     // vma->vm_lock_seq == mm->mm_lock_seq (1: write-locked)
ghost var in_cs: bool = false   // the reader holds the VMA read lock
ghost var w_cs: bool = false    // the writer holds the VMA write lock

process writer {                // vma_start_write()
  var r: 0..7 = 0
  var old: 0..7 = 0
  enter: atomic { ref := ref + OFF }               // __vma_enter_locked(): add the offset
  wait:  r := READ_ONCE(ref)                       // rcuwait_wait_event(refcnt == OFF + 1)
         while r != OFF + 1 { r := READ_ONCE(ref) }
  pub:   WRITE_ONCE(vseq, 1)                       // WRITE_ONCE(vma->vm_lock_seq, mm_lock_seq)
  exit:  r := READ_ONCE(ref)                       // __vma_exit_locked(): a release
  sub:   old := cmpxchg_release(ref, r, r - OFF)   //   refcount_sub_and_test(OFF)
  retry: while old != r { r := READ_ONCE(ref); old := cmpxchg_release(ref, r, r - OFF) }
  held:  w_cs := true                              // write-locked until mmap_write_unlock()
}

process reader {                // vma_start_read()
  var s: 0..1 = 0
  var r: 0..7 = 0
  var old: 0..7 = 0
  check: s := READ_ONCE(vseq)                      // the racy early check
         if s == 1 { goto out }
  get:   r := READ_ONCE(ref)                       // __refcount_inc_not_zero_limited...
         if r == 0 || r >= OFF { goto out }
  inc:   old := cmpxchg_relaxed(ref, r, r + 1)     // ... without _acquire: THE BUG
         if old != r { goto get }
  recheck: s := READ_ONCE(vseq)                    // re-check vm_lock_seq after the increment
         if s == 1 { goto put }
  cs:    in_cs := true                             // the VMA is read-locked
  end:   in_cs := false                            // vma_end_read()
  put:   atomic { ref := ref - 1 }                 // vma_refcount_put()
  out:   skip
}

invariant excl_rw: !(in_cs && w_cs)

expect invariant excl_rw
