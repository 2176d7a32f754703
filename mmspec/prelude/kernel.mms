// The kernel prelude: `include "kernel"` (shipped with mmspec; docs/kernel.md).
//
// The mm lock wrappers take the mm's lock where the kernel takes the mm: a spec declares
// `rwsem mmap_lock` (one mm) or `rwsem mmap_lock[Mm]` (a lock array indexed by mm) and writes
// `mmap_write_lock(mmap_lock)` / `mmap_write_lock(mmap_lock[mm])`; likewise the mapping's
// `rwsem i_mmap_rwsem` for i_mmap_lock_*. Each wrapper is a proc of one statement: one step,
// carrying the call's label. The atomic_t / refcount_t / bit operations need no include
// (mmspec.kernelapi); the kernel's integer types are here as ranges.

// ------------------------------------------------------------------ integer types
type atomic_t = -0x80000000..0x7fffffff             // int
type atomic_long_t = -0x80000000..0x7fffffff        // LIMITATION: 32 bits here (values
                                                    // beyond 2^62 cannot be literals anyway)
type refcount_t = 0..0x7fffffff                     // negative is saturated: a `refcount` error
type u32 = 0..0xffffffff
type unsigned_long = 0..0x3fffffffffffffff          // 62 bits: mmspec's literal limit

// ------------------------------------------------------------------ mmap_lock
proc mmap_read_lock(mm_lock) { down_read(mm_lock) }
proc mmap_read_unlock(mm_lock) { up_read(mm_lock) }
proc mmap_write_lock(mm_lock) { down_write(mm_lock) }
proc mmap_write_lock_nested(mm_lock, subclass) { down_write_nested(mm_lock, subclass) }
proc mmap_write_unlock(mm_lock) { up_write(mm_lock) }
proc mmap_write_downgrade(mm_lock) { downgrade_write(mm_lock) }
// Built in (they return whether they got the lock): ok := mmap_read_trylock(mmap_lock),
// ok := mmap_write_trylock(mmap_lock).
proc mmap_assert_locked(mm_lock) { assert held(mm_lock), "mmap_assert_locked: mmap_lock not held" }
proc mmap_assert_write_locked(mm_lock) { assert held_write(mm_lock), "mmap_assert_write_locked: mmap_lock not held for write" }

// ------------------------------------------------------------------ i_mmap_rwsem
proc i_mmap_lock_read(i_mmap_rwsem) { down_read(i_mmap_rwsem) }
proc i_mmap_unlock_read(i_mmap_rwsem) { up_read(i_mmap_rwsem) }
proc i_mmap_lock_write(i_mmap_rwsem) { down_write(i_mmap_rwsem) }
proc i_mmap_unlock_write(i_mmap_rwsem) { up_write(i_mmap_rwsem) }

// ------------------------------------------------------------------ lockdep
// Assertions about the current thread (a failure is an `assertion` violation with its trace).
proc lockdep_assert_held(l) { assert held(l), "lockdep_assert_held: lock not held" }
proc lockdep_assert_held_read(l) { assert held_read(l), "lockdep_assert_held_read: lock not held for read" }
proc lockdep_assert_held_write(l) { assert held_write(l), "lockdep_assert_held_write: lock not held for write" }
proc lockdep_assert_not_held(l) { assert !held(l), "lockdep_assert_not_held: lock held" }
// Built in (no include needed): lock_is_held(l), the same as held(l) ("held by this thread"
// inside a step; lock_is_held(l, T) names another thread), and might_lock(l) /
// might_lock_read(l) / might_lock_nested(l, n): the lock-order edges of an acquire, without
// taking the lock.
