// A lost wake-up: the sleeper tests its condition before it sets its task state.
//
//     if (!ready) {                                   // the test: a load and a branch
//             prepare_to_wait(&wq, &w, TASK_UNINTERRUPTIBLE);
//             schedule();
//             finish_wait(&wq, &w);
//     }
//
// A waker that publishes `ready` and calls wake_up() between the test and
// prepare_to_wait() finds the queue empty; the sleeper then sleeps with nobody left to wake
// it. `option split_tests` makes the test its own step, as it is in the kernel (fused into
// prepare_to_wait() it would hide the race, and mmspec warns: MMS350).
spec lost_wakeup_test_before_state

var ready: bool = false
waitqueue wq

process sleeper {
  chk:  if !ready {
  prep:   prepare_to_wait(wq, TASK_UNINTERRUPTIBLE)
  sl:     schedule()
  fin:    finish_wait(wq)
        }
}

process waker {
  pub:  ready := true
  wake: wake_up(wq)
}

option split_tests = true
expect deadlock
