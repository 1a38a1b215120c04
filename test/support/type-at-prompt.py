"""Run a command on a new pseudo-terminal and type an answer when a prompt appears, as a person
would: only after the question is on the screen, ending the line with Return (CR). Prints what the
terminal showed and exits with the command's exit status.

usage: type-at-prompt.py PROMPT ANSWER -- COMMAND...
"""
import os
import pty
import sys

prompt, answer = sys.argv[1].encode(), sys.argv[2].encode()
command = sys.argv[sys.argv.index("--") + 1 :]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
seen = b""
typed = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not typed and prompt in seen:
        os.write(fd, answer + b"\r")
        typed = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
