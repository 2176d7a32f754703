// synchronize_rcu() called inside an RCU read-side critical section: it would wait for a
// grace period that cannot end while the caller itself is a reader (the kernel's
// might_sleep() splat, "RCU nest depth: 1, expected: 0").
spec rcu_sync_in_read_section

var removed: bool = false

process updater {
        rcu_read_lock()
  look: removed := true
  sync: synchronize_rcu()          // BUG: waits for itself
        rcu_read_unlock()
}

expect context
