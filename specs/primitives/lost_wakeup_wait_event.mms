// The fixed counterpart of lost_wakeup_test_before_state: wait_event() sets the task state
// (prepare_to_wait) before it tests the condition, so a wake_up() after the test finds the
// sleeper queued, or the test after prepare_to_wait() sees `ready`.
//
//     wait_event(wq, ready);       // ___wait_event(): test; prepare; test; schedule; finish
spec lost_wakeup_wait_event

var ready: bool = false
waitqueue wq

process sleeper {
  wt:   wait_event(wq, ready)
}

process waker {
  pub:  ready := true
  wake: wake_up(wq)
}

expect ok
