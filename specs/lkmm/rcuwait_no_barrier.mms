// rcuwait (kernel/exit.c), as the VMA writer waits for readers' puts: the waker omits the
// smp_mb() (B) of rcuwait_wake_up() that pairs with the one in set_current_state() (A).
// Under lkmm the waiter can read the condition as false while the waker reads w->task as
// NULL: nobody wakes the waiter (README.md). -D BARRIER=1 restores (B).
spec rcuwait_no_barrier
option memory = lkmm

const BARRIER = 0

var cond: 0..1 = 0      // the wait condition (e.g. vm_refcnt reached VMA_LOCK_OFFSET + 1)
var task: 0..1 = 0      // w->task: 1 while the waiter is registered
ghost var tstate: 0..1 = 0   // the waiter's task state (scheduler, SC): 1 TASK_UNINTERRUPTIBLE

process waiter {              // rcuwait_wait_event(w, cond, TASK_UNINTERRUPTIBLE)
  var c: 0..1 = 0
  reg:   rcu_assign_pointer(task, 1)      // prepare_to_rcuwait(): w->task = current
  state: tstate := 1                      // set_current_state(): the state store ...
  A:     smp_mb()                         //   ... and its full barrier (A)
  test:  c := READ_ONCE(cond)
         if c == 0 {
  sleep:   await tstate == 0              // schedule(): until wake_up_process()
           goto state
         }
  fin:   tstate := 0                      // __set_current_state(TASK_RUNNING)
         rcu_assign_pointer(task, 0)      // finish_rcuwait()
}

process waker {               // the last reader's put, then rcuwait_wake_up(w)
  var t: 0..1 = 0
  put:   WRITE_ONCE(cond, 1)
         if BARRIER == 1 {
  B:       smp_mb()                       // (B): orders the condition before the load of task
         }
  look:  t := rcu_dereference(task)
         if t == 1 {
  wake:    tstate := 0                    // wake_up_process(task)
         }
}

expect deadlock when BARRIER == 0
