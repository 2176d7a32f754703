// exec_mmap() with Jann Horn's mmap_lock_required flag (seed mmap-lock-not-live-during-exec):
// a plain store of the flag, then tsk->mm published under task_lock(). An observer that takes
// task_lock() to read tsk->mm (get_task_mm()) sees the flag; one that reads tsk->mm
// locklessly (-D LOCKLESS=1) may see the new mm and the flag still 0 under lkmm, and
// mmap_assert_locked() then skips its check (README.md).
spec exec_flag_publish
option memory = lkmm

const LOCKLESS = 0

var required: 0..1 = 0  // mm->mmap_lock_required of the new mm
var tsk_mm: 0..1 = 0    // tsk->mm: 0 the old mm, 1 the new one
spinlock alloc_lock     // task_lock(tsk)

process exec {                  // exec_mmap()
  flag:  required := 1                   // mm->mmap_lock_required = 1 (a plain store)
  lock:  spin_lock(alloc_lock)           // task_lock(tsk)
  pub:   WRITE_ONCE(tsk_mm, 1)           // tsk->mm = mm
  unl:   spin_unlock(alloc_lock)         // task_unlock(tsk)
}

process observer {              // a remote access to tsk's mm
  var m: 0..1 = 0
  var f: 0..1 = 0
  if LOCKLESS == 1 {
  peek:  m := READ_ONCE(tsk_mm)          // READ_ONCE(tsk->mm), no task_lock()
  } else {
  lk:    spin_lock(alloc_lock)           // get_task_mm(): task_lock(tsk) ...
  get:   m := READ_ONCE(tsk_mm)
  ulk:   spin_unlock(alloc_lock)         // ... task_unlock(tsk)
  }
  if m == 1 {
  chk:   f := READ_ONCE(required)        // mmap_assert_locked(mm) reads the flag
  }
}

invariant sees_flag: observer@done && observer.m == 1 => observer.f == 1

expect invariant sees_flag when LOCKLESS == 1
