// A reader follows an RCU-protected pointer to an object and reads a field; the updater
// unpublishes the object and frees it at once with a plain free(). The reader may still
// hold the pointer it loaded inside its read-side section: use-after-free.
// The fix, rcu_free_kfree_rcu.mms, frees with kfree_rcu().
spec rcu_free_after_removal

objects Obj[1]                 // one object; 0 is NULL
var head: Obj = 0              // the RCU-protected pointer
var val: map[Obj] 0..1         // a field of the object

process updater {
  var o: Obj = 0
  mk:    o := alloc(Obj)
  init:  val[o] := 1
  pub:   head := o             // rcu_assign_pointer()
  unpub: head := 0             // removal
  del:   free(o)               // BUG: readers may still hold o
}

process reader {
  var p: Obj = 0
  var x: 0..1 = 0
         rcu_read_lock()
  deref: p := head             // rcu_dereference()
  use:   if p != 0 { x := val[p] }
  out:   rcu_read_unlock()
}

expect use-after-free
