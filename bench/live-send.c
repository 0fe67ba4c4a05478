/*
 * bench/live-send.c: paced frame blaster for bench/live.sh.
 *
 *   live-send IFACE FILE.pcap FRAMES RATE
 *
 * Loads the first FRAMES frames of a classic pcap file (micro- or nanosecond,
 * either byte order; looping over the file when it has fewer) into memory,
 * then sends them out of IFACE through one AF_PACKET socket with sendmmsg()
 * in batches, paced to RATE frames/s (0 = as fast as possible): before each
 * batch it sends only as many frames as RATE allows for the time elapsed.
 * PACKET_QDISC_BYPASS skips the qdisc, as tcpreplay's PF_PACKET send() does
 * not. Prints one line on stdout:
 *
 *   sent=N failed=F seconds=S rate=R
 *
 * Every loop is bounded by FRAMES. Exit status 0 when every frame was sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define BATCH 64
#define MAX_FRAME 9216

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t rd32(const unsigned char *p, int swap) {
  uint32_t v;
  memcpy(&v, p, 4);
  return swap ? __builtin_bswap32(v) : v;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s IFACE FILE.pcap FRAMES RATE\n", argv[0]);
    return 2;
  }
  const char *ifname = argv[1];
  const char *path = argv[2];
  long want = strtol(argv[3], NULL, 10);
  double rate = strtod(argv[4], NULL);
  if (want <= 0 || rate < 0) {
    fprintf(stderr, "live-send: FRAMES must be > 0 and RATE >= 0\n");
    return 2;
  }

  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 2;
  }
  unsigned char gh[24];
  if (fread(gh, 1, 24, f) != 24) {
    fprintf(stderr, "live-send: %s: short pcap header\n", path);
    return 2;
  }
  uint32_t magic;
  memcpy(&magic, gh, 4);
  int swap;
  if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) swap = 0;
  else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) swap = 1;
  else {
    fprintf(stderr, "live-send: %s: not a classic pcap file\n", path);
    return 2;
  }

  /* Read the frames once; loop over them when FRAMES exceeds the file. */
  size_t cap = 1 << 16, n = 0, bytes = 0, bcap = 64u << 20;
  size_t *off = malloc(cap * sizeof *off);
  uint32_t *len = malloc(cap * sizeof *len);
  unsigned char *buf = malloc(bcap);
  if (off == NULL || len == NULL || buf == NULL) return 2;
  unsigned char rh[16];
  while ((long)n < want && fread(rh, 1, 16, f) == 16) {
    uint32_t incl = rd32(rh + 8, swap);
    if (incl > MAX_FRAME) {
      fprintf(stderr, "live-send: frame %zu: %u bytes is too long\n", n, incl);
      return 2;
    }
    if (n == cap) {
      cap *= 2;
      off = realloc(off, cap * sizeof *off);
      len = realloc(len, cap * sizeof *len);
      if (off == NULL || len == NULL) return 2;
    }
    if (bytes + incl > bcap) {
      bcap *= 2;
      buf = realloc(buf, bcap);
      if (buf == NULL) return 2;
    }
    if (fread(buf + bytes, 1, incl, f) != incl) break;
    off[n] = bytes;
    len[n] = incl;
    bytes += incl;
    n++;
  }
  fclose(f);
  if (n == 0) {
    fprintf(stderr, "live-send: %s: no frames\n", path);
    return 2;
  }

  int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
  if (fd < 0) {
    perror("socket(AF_PACKET)");
    return 2;
  }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one); /* best effort */
  int sndbuf = 16 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)if_nametoindex(ifname);
  sll.sll_halen = ETH_ALEN;
  if (sll.sll_ifindex == 0) {
    fprintf(stderr, "live-send: no interface %s\n", ifname);
    return 2;
  }
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
    perror("bind");
    return 2;
  }

  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  long sent = 0, failed = 0, retries = 0;
  const long max_retries = want * 4 + 1000; /* bounds the ENOBUFS/EAGAIN retry loop */
  double t0 = now_s();
  while (sent + failed < want) {
    long room = want - sent - failed;
    if (rate > 0) {
      long allowed = (long)((now_s() - t0) * rate) + 1 - (sent + failed);
      if (allowed <= 0) continue; /* busy-wait: pacing at 100k+/s cannot afford a sleep */
      if (allowed < room) room = allowed;
    }
    int k = room < BATCH ? (int)room : BATCH;
    for (int i = 0; i < k; i++) {
      size_t idx = (size_t)((sent + failed + i) % (long)n);
      iov[i].iov_base = buf + off[idx];
      iov[i].iov_len = len[idx];
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_name = &sll;
      msgs[i].msg_hdr.msg_namelen = sizeof sll;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs, (unsigned)k, 0);
    if (r > 0) {
      sent += r;
    } else if (r < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) && retries < max_retries) {
      retries++;
    } else {
      failed++; /* skip the frame the kernel refused (e.g. longer than the MTU) */
    }
  }
  double secs = now_s() - t0;
  printf("sent=%ld failed=%ld seconds=%.3f rate=%.0f\n", sent, failed, secs, secs > 0 ? (double)sent / secs : 0.0);
  return failed == 0 ? 0 : 1;
}
