mmlab-host-profile 1	12.000
fact	release	6.18.44-fc-v1252	6.18	0		uname -r
fact	hypervisor	PVM		0		kernel log: Hypervisor detected: PVM
boot	boot:pvm_no_zero_page	1	(absent)	1		/proc/cmdline
probe	zero_page	no	yes	1	/sys/kernel/mm/mmlab/forbids_zeropage=1	probe: read faults on 2 private anonymous pages allocated 2 exclusive pages
probe	huge_zero_page	no	yes	1		probe: a read fault in a MADV_HUGEPAGE range allocated an exclusive page
probe	tlb_ipis	no	yes	1		probe: 0 TLB shootdown interrupts
probe	tlb_counters	no	yes	1		/proc/vmstat has no nr_tlb_*
probe	exact_accessed_bits	no	yes	1		PVM guest
probe	swap	yes	yes	0		probe: swapon and swapoff
probe	uffd_wp	yes	yes	0		probe
probe	thp	yes	yes	0		sysfs
