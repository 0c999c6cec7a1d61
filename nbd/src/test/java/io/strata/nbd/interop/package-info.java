/**
 * The server tested with real NBD clients from Debian (nbdinfo, nbdcopy, qemu-img, qemu-io,
 * python3-libnbd, fio's nbd engine) against a real engine volume store in a temporary directory.
 * In CI a missing tool fails the test; elsewhere the test is skipped and says why.
 */
package io.strata.nbd.interop;
