// rcu_free_after_removal.mms fixed: the updater frees with kfree_rcu(). The free is the
// RCU callback, a step of its own once every reader that was inside a read-side section
// when kfree_rcu() ran has left it; a reader that starts later cannot find the object.
spec rcu_free_kfree_rcu

objects Obj[1]                 // one object; 0 is NULL
var head: Obj = 0              // the RCU-protected pointer
var val: map[Obj] 0..1         // a field of the object

process updater {
  var o: Obj = 0
  mk:    o := alloc(Obj)
  init:  val[o] := 1
  pub:   head := o             // rcu_assign_pointer()
  unpub: head := 0             // removal
  del:   kfree_rcu(o)          // freed after a grace period, as a step of its own
}

process reader {
  var p: Obj = 0
  var x: 0..1 = 0
         rcu_read_lock()
  deref: p := head             // rcu_dereference()
  use:   if p != 0 { x := val[p] }
  out:   rcu_read_unlock()
}

expect ok
