"""`build.py deploy`, `rollback`, `releases`: publish a target's output to the bureau's own web
server (a local/NFS folder or SSH), as releases with an atomically switched `current` link.

destination.py  where (--to), and running a step there (sh -c, or the system's ssh)
releases.py     the layout: releases/<UTC time>-<id>/, current → one of them, the target file
transfer.py     rsync --link-dest: only changed files travel
verify.py       manifest and fingerprint, checked before and after the switch (and over HTTP)
commands.py     the three commands, step by step
lock.py         one deploy, apply or rollback at a time per deploy folder
"""
