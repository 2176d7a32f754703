" Vim syntax file for mmspec (.mms) locking-protocol specs.
" Install: copy (or symlink) editors/vim/syntax and editors/vim/ftdetect into ~/.vim/
" (or ~/.config/nvim/). Keep the keyword lists in step with mmspec/parser.py KEYWORDS;
" tests/test_editors.py checks that they are.
if exists("b:current_syntax")
  finish
endif

syn keyword mmsDeclaration spec include const type var ghost symmetric def action when fair
syn keyword mmsDeclaration weak strong process proc final invariant helper property option constraint action_constraint initial next
syn keyword mmsDeclaration expect class writer_pref
syn keyword mmsControl if then else while either or pick in where goto skip await assert return
syn keyword mmsControl atomic with forall exists choose
syn keyword mmsOperatorWord union inter minus subseteq leadsto eventually always
syn keyword mmsLockKind mutex rwsem spinlock waitqueue rcuwait completion
syn keyword mmsType bool enum map set record wrap values
syn keyword mmsConstant true false self
syn keyword mmsBuiltin card min max held held_read held_write held_by locked queued_writers
syn keyword mmsBuiltin bh_disable_depth irq_disable_depth irq_fired lock_subclass lockdep_hardirq_on lockdep_in_hardirq lockdep_in_softirq lockdep_softirq_on object_freed object_live preempt_count rcu_free_pending rcu_free_waits_for rcu_gp_waits_for rcu_preempt_depth mem_acq mem_carried mem_fence mem_lock_view mem_old mem_own mem_rel mem_seen mem_writes ran_early
syn keyword mmsBuiltin lock_is_held
syn keyword mmsLockOp lock unlock mutex_lock mutex_unlock mutex_lock_nested mutex_trylock
syn keyword mmsLockOp spin_lock spin_unlock spin_lock_nested spin_trylock down_read
syn keyword mmsLockOp down_read_nested up_read down_write down_write_nested up_write
syn keyword mmsLockOp downgrade_write down_read_trylock down_write_trylock
syn keyword mmsLockOp might_lock might_lock_read might_lock_nested mmap_read_trylock
syn keyword mmsLockOp mmap_write_trylock

syn match mmsNumber "\<\(0[xX][0-9a-fA-F]\+\|[0-9]\+\)\>"
syn match mmsLabel "^\s*\h\w*\(\.\h\w*\)*\ze\s*:\([^=]\|$\)"
syn match mmsOperator ":=\|==\|!=\|<=>\|<=\|>=\|=>\|&&\|||\||->\|<<\|>>\|\.\.\|[-+*/%<>!=@'&|^~]"
syn region mmsString start=+"+ skip=+\\.+ end=+"+ end=+$+ contains=mmsEscape
syn match mmsEscape "\\." contained
syn match mmsComment "//.*$" contains=mmsTodo
syn region mmsComment start="/\*" end="\*/" contains=mmsTodo
syn keyword mmsTodo TODO FIXME XXX LIMITATION contained

hi def link mmsDeclaration Keyword
hi def link mmsControl Statement
hi def link mmsOperatorWord Operator
hi def link mmsLockKind StorageClass
hi def link mmsType Type
hi def link mmsConstant Constant
hi def link mmsBuiltin Function
hi def link mmsLockOp Function
hi def link mmsNumber Number
hi def link mmsLabel Label
hi def link mmsOperator Operator
hi def link mmsString String
hi def link mmsEscape SpecialChar
hi def link mmsComment Comment
hi def link mmsTodo Todo

let b:current_syntax = "mms"
