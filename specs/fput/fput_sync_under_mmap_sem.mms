// The 2012 problem (IMA appraisal wanted i_mutex in the final fput()): before v3.6 the final
// fput() ran __fput() synchronously in whatever context dropped the last reference, and
// munmap drops a file reference under mmap_sem (remove_vma() -> fput(vma->vm_file)). Taking
// i_mutex there inverts write(2)'s order, which holds i_mutex while copy_from_user() faults
// and takes mmap_sem: ABBA. Discussion: ../../../shared/seeds/deferred-fput-under-mmap-sem.txt
// (README.md in this folder).
spec fput_sync_under_mmap_sem

rwsem mmap_sem                  // the process's mm->mmap_sem
mutex i_mutex                   // the file's inode->i_mutex

var f_ref: 0..2 = 2             // struct file references: the VMA's and the fd's
ghost var released: bool = false  // __fput() finished

// close(fd): drops the fd's reference.
process closer {
    var last: bool
c_put:      atomic { f_ref := f_ref - 1; last := f_ref == 0 }  // fput(): atomic dec-and-test
c_fput:     if last {
                lock(i_mutex)                           // __fput() -> ima_file_free()
c_fput_done:    atomic { unlock(i_mutex); released := true }
            } else {
                skip                                    // not the last: nothing to do
            }
}

// write(2) into the file from a user buffer that is not faulted in yet.
process write_path {
w_lock:       lock(i_mutex)                             // generic_file_write_iter(): inode_lock()
w_fault:      down_read(mmap_sem)                       // copy_from_user() faults
w_fault_done: up_read(mmap_sem)
w_unlock:     unlock(i_mutex)
}

// munmap() of the file's last mapping.
process munmap {
    var last: bool
u_lock:       down_write(mmap_sem)
u_put:        atomic { f_ref := f_ref - 1; last := f_ref == 0 }  // remove_vma() -> fput()
u_fput:       if last {
                  lock(i_mutex)                         // __fput() inline, under mmap_sem
u_fput_done:      atomic { unlock(i_mutex); released := true }
              } else {
                  skip
              }
u_unlock:     up_write(mmap_sem)
}

expect deadlock
