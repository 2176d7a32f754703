// The three-thread form of the synchronous-__fput() deadlock: holding mmap_sem only for READ
// across the final fput() is not safe either, because kernel rwsems make new readers queue
// behind a waiting writer. munmap downgrades to the read lock before it frees the VMAs
// (do_vmi_munmap(..., downgrade)), so the final fput() runs with mmap_sem held for read;
// another thread of the process queues for the write lock (mmap(2)); write(2)'s fault then
// cannot get the read lock, and the cycle closes through the queued writer.
// Discussion: README.md in this folder.
spec fput_sync_read_writer_pref

rwsem mmap_sem writer_pref      // readers queue behind a waiting writer
mutex i_mutex

var f_ref: 0..1 = 1             // the fd is closed already: the VMA holds the last reference
ghost var released: bool = false

// munmap() with the lock downgraded before the VMAs are freed.
process munmap {
    var last: bool
u_lock:       down_write(mmap_sem)
u_downgrade:  downgrade_write(mmap_sem)                 // mmap_write_downgrade()
u_put:        atomic { f_ref := f_ref - 1; last := f_ref == 0 }  // remove_vma() -> fput()
u_fput:       if last {
                  lock(i_mutex)                         // __fput() inline, mmap_sem held (read)
u_fput_done:      atomic { unlock(i_mutex); released := true }
              } else {
                  skip
              }
u_unlock:     up_read(mmap_sem)
}

process write_path {
w_lock:       lock(i_mutex)
w_fault:      down_read(mmap_sem)                       // queues behind mmap_writer
w_fault_done: up_read(mmap_sem)
w_unlock:     unlock(i_mutex)
}

// Another thread of the same process: mmap(2) wants mmap_sem for write.
process mmap_writer {
q_lock:       down_write(mmap_sem)
q_unlock:     up_write(mmap_sem)
}

expect deadlock
