"""Device memory of this process as nvidia-smi shows it (CUDA context included).

Readings come from pynvml (nvidia-ml-py), else from the nvidia-smi command.
"""

import logging
import os
import subprocess

from measure_case import MIB

LOG = logging.getLogger("measure")


def first_line(text, limit=300):
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def parse_compute_apps(text, pid):
    """Return the bytes that `nvidia-smi --query-compute-apps=pid,used_memory
    --format=csv,noheader,nounits` lists for pid (summed over GPUs), or None."""
    total_mib = None
    for line in text.splitlines():
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != 2 or not fields[0].isdigit() or int(fields[0]) != pid:
            continue
        if not fields[1].isdigit():
            continue  # "[N/A]" where the driver cannot attribute memory
        total_mib = (total_mib or 0) + int(fields[1])
    return None if total_mib is None else total_mib * MIB


def visible_device_selector(cuda_visible_devices):
    """Return how NVML finds CUDA device 0: ("index", n) or ("uuid", "GPU-...")."""
    first = (cuda_visible_devices or "").split(",")[0].strip()
    if first.isdigit():
        return ("index", int(first))
    if first.startswith(("GPU-", "MIG-")):
        return ("uuid", first)
    return ("index", 0)


class ProcessMemoryReader:
    """Reader of this process's device memory as nvidia-smi shows it.

    Per-process readings come from pynvml, else nvidia-smi. Where neither
    lists this PID (containers with their own PID namespace), the reading
    falls back to the device's used memory minus the reading taken before
    CUDA started, which also counts other processes on the GPU.
    """

    def __init__(self):
        self.nvml = None
        try:
            import pynvml  # nvidia-ml-py

            pynvml.nvmlInit()
            self.nvml = pynvml
        except Exception as error:  # pynvml missing, or no NVML library
            LOG.info("pynvml unavailable (%s); using nvidia-smi for process memory", first_line(error))
        self.selector = visible_device_selector(os.environ.get("CUDA_VISIBLE_DEVICES"))
        self.baseline_bytes = self.device_used_bytes()

    def _nvml_handle(self):
        kind, value = self.selector
        if kind == "uuid":
            return self.nvml.nvmlDeviceGetHandleByUUID(value)
        return self.nvml.nvmlDeviceGetHandleByIndex(value)

    def device_used_bytes(self):
        if self.nvml is not None:
            try:
                return int(self.nvml.nvmlDeviceGetMemoryInfo(self._nvml_handle()).used)
            except Exception as error:
                LOG.info("NVML device memory reading failed: %s", first_line(error))
        _, value = self.selector
        text = _run_nvidia_smi(["--query-gpu=memory.used", "--format=csv,noheader,nounits", "-i", str(value)])
        if text and text.strip().splitlines()[0].strip().isdigit():
            return int(text.strip().splitlines()[0]) * MIB
        return None

    def driver_version(self):
        if self.nvml is not None:
            try:
                version = self.nvml.nvmlSystemGetDriverVersion()
                return version.decode() if isinstance(version, bytes) else str(version)
            except Exception as error:
                LOG.info("NVML driver version reading failed: %s", first_line(error))
        text = _run_nvidia_smi(["--query-gpu=driver_version", "--format=csv,noheader"])
        return text.strip().splitlines()[0].strip() if text and text.strip() else ""

    def read(self, measurement):
        """Store this process's device memory in measurement (process_* fields)."""
        pid = os.getpid()
        if self.nvml is not None:
            total = None
            try:
                for index in range(self.nvml.nvmlDeviceGetCount()):
                    handle = self.nvml.nvmlDeviceGetHandleByIndex(index)
                    for process in self.nvml.nvmlDeviceGetComputeRunningProcesses(handle):
                        if process.pid == pid and process.usedGpuMemory:
                            total = (total or 0) + int(process.usedGpuMemory)
            except Exception as error:
                LOG.info("NVML process listing failed: %s", first_line(error))
            if total is not None:
                measurement.process_bytes = total
                measurement.process_reading = f"NVML usedGpuMemory of this process = {total} bytes"
                return
        text = _run_nvidia_smi(["--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"])
        listed = parse_compute_apps(text or "", pid)
        if listed is not None:
            measurement.process_bytes = listed
            measurement.process_reading = f"nvidia-smi --query-compute-apps used_memory = {listed // MIB} MiB"
            return
        used = self.device_used_bytes()
        if used is not None and self.baseline_bytes is not None:
            measurement.process_bytes = used - self.baseline_bytes
            measurement.process_reading = (
                f"device memory.used {used // MIB} MiB minus {self.baseline_bytes // MIB} MiB before CUDA started")
            measurement.process_reading_assumed = True
            measurement.process_note = (
                f"NVML and nvidia-smi did not list PID {pid}, as happens in a container with its own PID "
                "namespace, so the nvidia_smi figure is the device-wide difference.")
            return
        measurement.process_note = (
            f"No process memory reading: pynvml and nvidia-smi are missing or did not list PID {pid}, and no "
            "device-wide reading was possible.")


def _run_nvidia_smi(arguments):
    try:
        completed = subprocess.run(["nvidia-smi", *arguments], capture_output=True, text=True, timeout=30, check=False)
    except (FileNotFoundError, PermissionError, subprocess.TimeoutExpired):
        return None
    return completed.stdout if completed.returncode == 0 else None
