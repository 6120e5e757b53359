/**
 * The uevent publisher ({@link io.hostql.publishers.uevent.UeventPublisher}): osquery's hardware_events
 * source, read from NETLINK_KOBJECT_UEVENT with JNA direct mapping ({@code io.hostql.os.Libc}) instead of
 * libudev's monitor.
 *
 * <p>Where hostql goes beyond osquery:
 * <ul>
 *   <li>no polling: the socket is read as soon as the kernel (or systemd-udevd) sends;</li>
 *   <li>both wire formats are decoded ({@code UeventMessage}), so it works without udevd (containers,
 *       minimal hosts) and with it ({@code hardware_events_source = auto | kernel | udev});</li>
 *   <li>a large receive buffer (SO_RCVBUFFORCE as root); ENOBUFS is a loss record counted from the
 *       SEQNUM gap, followed by a resync against /sys that emits the missed additions and removals as
 *       synthetic events (osquery#7758 loses them silently);</li>
 *   <li>the identifying sysfs attributes are read when the event arrives ({@code Sysfs}), and remembered
 *       for the device's removal, when its sysfs directory is already gone;</li>
 *   <li>messages posing as the kernel (from a process, on the kernel's group) or as udev (not from root)
 *       are refused, as libudev refuses them.</li>
 * </ul>
 *
 * <p>Known limits: a "change", "bind" or "unbind" lost to ENOBUFS cannot be reconstructed (the loss record
 * says how many uevents were dropped); on udev's group, sequence numbers arrive out of order, so the number
 * lost is unknown, and an event udevd delivers late may follow a synthetic one for the same device.
 */
package io.hostql.publishers.uevent;
