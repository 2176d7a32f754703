// irq_lock_unsafe.mms fixed: process context takes the lock with spin_lock_irqsave(), so
// the handler can only arrive before the worker takes the lock or after it drops it.
spec irq_lock_irqsave

spinlock lock
var count: 0..2 = 0

process worker cpu(0) {
        spin_lock_irqsave(lock)    // IRQs off on this CPU while held
  inc:  count := count + 1
        spin_unlock_irqrestore(lock)
}

hardirq process timer cpu(0) {      // may interrupt worker whenever its IRQs are on
        spin_lock(lock)
  tick: count := count + 1
        spin_unlock(lock)
}

invariant counted: worker@done && timer@done => count == 2

expect ok
