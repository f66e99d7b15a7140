"""``ember launch``: start N ranks of a PyTorch script with the ``mpiexec`` of the MPICH wheel.

    ember launch -n 4 [--hostfile hosts.txt] [--mpiexec-args "-iface eth0"] train.py [args]
    python -m ember.distributed.launch -n 4 train.py [args]

Each rank runs ``python -m ember.distributed._worker train.py args``, which sets torchrun's
environment variables from MPI and runs the script with ``torch`` mapped to ember. The
command exits with mpiexec's status: 0 when every rank succeeded. Ranks' output is
unbuffered (``PYTHONUNBUFFERED=1`` unless set), so lines reach the terminal as printed even
when a failing rank stops the job; with more than one rank, ``OMP_NUM_THREADS`` defaults to
1 as under torchrun (NumPy's BLAS threads would otherwise oversubscribe the cores). More
ranks than cores is fine (MPICH oversubscribes without asking). Several machines: see
``ember.distributed``'s docstring.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig

from . import _mpi

__all__ = ["find_mpiexec", "launch_command", "launch", "main"]


def find_mpiexec():
    """The ``mpiexec`` installed beside this Python (the MPICH wheel's), else one on PATH."""
    folders = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    try:
        folders.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    except KeyError:
        pass
    for folder in folders:
        path = os.path.join(folder, "mpiexec")
        if os.access(path, os.X_OK):
            return path
    found = shutil.which("mpiexec")
    if found is None:
        raise RuntimeError("ember launch: no mpiexec found. " + _mpi.INSTALL_HINT)
    return found


def launch_command(nproc, script, args=(), hostfile=None, mpiexec_args=()):
    """The mpiexec command line that runs ``script`` on ``nproc`` ranks."""
    if nproc < 1:
        raise ValueError(f"ember launch: -n must be at least 1, got {nproc}")
    command = [find_mpiexec(), "-n", str(nproc)]
    if hostfile is not None:
        command += ["-f", hostfile]
    command += list(mpiexec_args)
    return command + [sys.executable, "-m", "ember.distributed._worker",
                      os.path.abspath(script), *args]


def launch(nproc, script, args=(), hostfile=None, mpiexec_args=()):
    """Run ``script`` on ``nproc`` ranks and wait; returns mpiexec's exit status."""
    if not _mpi.available():
        raise RuntimeError("ember launch: " + _mpi.INSTALL_HINT)
    command = launch_command(nproc, script, args, hostfile, mpiexec_args)
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if nproc > 1 and "OMP_NUM_THREADS" not in env:
        # As torchrun: N ranks each running a BLAS thread per core would overload the machine.
        env["OMP_NUM_THREADS"] = "1"
        print("*****************************************\nSetting OMP_NUM_THREADS environment "
              "variable for each process to be 1 in default, to avoid your system being "
              "overloaded, please further tune the variable for optimal performance in your "
              "application as needed. \n*****************************************",
              file=sys.stderr)
    return subprocess.call(command, env=env)


def add_arguments(parser):
    parser.add_argument("-n", "--nproc", "--nproc-per-node", "--nproc_per_node", type=int,
                        required=True, dest="nproc", help="number of ranks (processes)")
    parser.add_argument("--hostfile", help="MPICH host file: one 'host:slots' per line")
    parser.add_argument("--mpiexec-args", default="",
                        help="extra mpiexec options, as one quoted string")
    parser.add_argument("script", help="path to the .py file each rank runs")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")


def run_options(parser, options):
    if not os.path.exists(options.script):
        parser.error(f"no such file: {options.script}")
    if options.hostfile is not None and not os.path.exists(options.hostfile):
        parser.error(f"no such host file: {options.hostfile}")
    try:
        return launch(options.nproc, options.script, options.args, options.hostfile,
                      shlex.split(options.mpiexec_args))
    except (RuntimeError, ValueError) as error:
        parser.error(str(error))


def add_launch_command(commands):
    """Add ``launch`` to the ``ember`` command's subparsers."""
    parser = commands.add_parser(
        "launch", help="run a PyTorch script on N processes (ranks) with MPI",
        description="Run a PyTorch script on N ranks (torch.distributed on MPI).")
    add_arguments(parser)
    parser.set_defaults(launch=lambda options: run_options(parser, options))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ember.distributed.launch",
                                     description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run_options(parser, parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
