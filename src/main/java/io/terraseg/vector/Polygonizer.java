package io.terraseg.vector;

import io.terraseg.raster.MaskFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntToDoubleFunction;

/**
 * Turns a class mask, fed one pixel row at a time from the top, into one polygon per 4-connected
 * region of a class (nodata excluded, holes kept): the polygons {@code gdal_polygonize} makes of
 * the whole mask with its default 4-connectedness. The scene is swept once, so polygons cut by tile
 * seams never exist: a region is one polygon however many tiles it crosses.
 *
 * <p>Written here rather than taken from a library: GDAL's polygonizer needs the raster in GDAL,
 * and JTS only polygonizes line work, which would mean first emitting every pixel edge.
 *
 * <p>The sweep keeps, for the row above the line being processed, its runs (maximal same-class
 * intervals) and the open boundary chains that end at each run's left and right edge. On each
 * horizontal line between two rows, every class's boundary is extended at the points where the row
 * above or below changes class: chains continue down, turn, join, start, or close into rings. Only
 * corners become vertices (straight pixel edges are merged). Where two pixels of a class touch only
 * at a corner, the boundary turns around each of them, so they stay apart as 4-connectivity wants.
 *
 * <p>A ring is a region's outer ring when its top-left vertex has the region below-right of it,
 * else a hole of the region around it (found through union-find over the runs). Holes wait on their
 * region until its outer ring closes, at its last row; then the polygon is emitted and forgotten.
 * Memory is therefore the sweep line (a few objects per run of one row: proportional to the scene's
 * width, not its area) plus the corners of the regions still open, their closed holes included; a
 * region spanning the whole scene costs its corners, not its pixels.
 */
public final class Polygonizer {
  private static final int NODATA = MaskFormat.NODATA;

  /**
   * One region: class, rings in pixel-corner coordinates (x0, y0, x1, y1, …, not repeating the
   * first point), the outer ring first; its pixel count and ground area (m², NaN when unknown).
   */
  public record PixelPolygon(int classId, List<int[]> rings, long pixels, double area) {}

  private final int width;
  private final IntToDoubleFunction rowArea;
  private final Consumer<PixelPolygon> out;
  private Row above;
  private int y;

  /**
   * @param rowArea ground area of one pixel of a row, m² (or NaN)
   * @param out receives each polygon once its region is complete
   */
  public Polygonizer(int width, IntToDoubleFunction rowArea, Consumer<PixelPolygon> out) {
    this.width = width;
    this.rowArea = rowArea;
    this.out = out;
    this.above = Row.empty(width);
  }

  /** The next pixel row, {@code width} class ids from {@code offset}. */
  public void addRow(byte[] pixels, int offset) {
    Row below = Row.of(pixels, offset, width);
    connect(below);
    sweepLine(below);
    above = below;
    y++;
  }

  /** Closes every region still open: the line below the last row. */
  public void finish() {
    Row below = Row.empty(width);
    sweepLine(below);
    above = below;
  }

  /**
   * Gives each run of the new row its region: the region of every same-class run above that it
   * overlaps (4-connectivity: sharing at least one column), merging them; a new one otherwise.
   */
  private void connect(Row below) {
    double area = rowArea.applyAsDouble(y);
    int ia = 0;
    for (int ib = 0; ib < below.count; ib++) {
      int c = below.cls[ib];
      if (c == NODATA) {
        continue;
      }
      int start = below.start[ib];
      int end = below.end(ib);
      while (ia < above.count && above.end(ia) <= start) {
        ia++;
      }
      Region region = null;
      for (int j = ia; j < above.count && above.start[j] < end; j++) {
        if (above.cls[j] == c) {
          region = region == null ? above.region[j].root() : region.union(above.region[j]);
        }
      }
      if (region == null) {
        region = new Region();
      }
      region.pixels += end - start;
      region.area += (end - start) * area;
      below.region[ib] = region;
    }
  }

  /**
   * The horizontal line between {@code above} and {@code below} (line {@code y}): visits every
   * point where either row changes class and, for each class meeting there, pairs the boundary ends
   * that meet at the point.
   */
  private void sweepLine(Row below) {
    End pendingAbove = null; // the open horizontal edge whose class is the pixel above it
    End pendingBelow = null; // … the pixel below it
    int ia = 0;
    int ib = 0;
    int x = 0;
    int[] classes = new int[4];
    while (true) {
      // ia, ib: the runs that contain pixel x (count at x == width).
      int aRight = ia < above.count ? ia : -1;
      int bRight = ib < below.count ? ib : -1;
      int aLeft = x == 0 ? -1 : (ia == above.count || above.start[ia] == x) ? ia - 1 : ia;
      int bLeft = x == 0 ? -1 : (ib == below.count || below.start[ib] == x) ? ib - 1 : ib;
      int al = aLeft < 0 ? NODATA : above.cls[aLeft];
      int ar = aRight < 0 ? NODATA : above.cls[aRight];
      int bl = bLeft < 0 ? NODATA : below.cls[bLeft];
      int br = bRight < 0 ? NODATA : below.cls[bRight];
      End nextAbove = null;
      End nextBelow = null;
      classes[0] = al;
      classes[1] = ar;
      classes[2] = bl;
      classes[3] = br;
      for (int k = 0; k < 4; k++) {
        int c = classes[k];
        if (c == NODATA || (k > 0 && c == classes[0]) || (k > 1 && c == classes[1])) {
          continue;
        }
        if (k > 2 && c == classes[2]) {
          continue;
        }
        boolean qal = al == c;
        boolean qar = ar == c;
        boolean qbl = bl == c;
        boolean qbr = br == c;
        End u = qal == qar ? null : qal ? above.rightEnd[aLeft] : above.leftEnd[aRight];
        End l = qal == qbl ? null : qal ? pendingAbove : pendingBelow;
        boolean hasD = qbl != qbr;
        boolean hasR = qar != qbr;
        End d = null;
        End r = null;
        if (u != null && l != null && hasD && hasR) {
          // Two pixels of the class touch only at this corner: turn around each of them.
          if (qal) {
            close(u, l, x, c);
            Chain chain = Chain.start(x, y, true, below.region[bRight]);
            chain.pinched = true;
            d = chain.headEnd;
            r = chain.tailEnd;
          } else {
            u.extend(x, y);
            u.chain.pinched = true;
            r = u;
            l.extend(x, y);
            l.chain.pinched = true;
            d = l;
          }
        } else if (u != null && hasD) {
          d = u; // straight down: not a corner
        } else if (u != null && l != null) {
          close(u, l, x, c);
        } else if (u != null) {
          u.extend(x, y);
          r = u;
        } else if (l != null && hasR) {
          r = l; // straight on: not a corner
        } else if (l != null) {
          l.extend(x, y);
          d = l;
        } else if (hasD) {
          Chain chain = Chain.start(x, y, qbr, below.region[qbr ? bRight : bLeft]);
          d = chain.headEnd;
          r = chain.tailEnd;
        }
        if (d != null) {
          if (qbr) {
            below.leftEnd[bRight] = d;
          } else {
            below.rightEnd[bLeft] = d;
          }
        }
        if (r != null) {
          if (qar) {
            nextAbove = r;
          } else {
            nextBelow = r;
          }
        }
      }
      pendingAbove = nextAbove;
      pendingBelow = nextBelow;
      if (x == width) {
        return;
      }
      int next = Math.min(above.end(ia), below.end(ib));
      if (above.end(ia) == next) {
        ia++;
      }
      if (below.end(ib) == next) {
        ib++;
      }
      x = next;
    }
  }

  /** Joins two boundary ends meeting at corner (x, y); a ring when they are one chain's ends. */
  private void close(End a, End b, int x, int c) {
    a.extend(x, y);
    if (a.chain != b.chain) {
      Chain.join(a, b);
      return;
    }
    Chain ring = a.chain;
    Region region = ring.region.root();
    List<int[]> loops = ring.pinched ? loops(ring.vertices()) : List.of(ring.vertices());
    if (!ring.outer) {
      region.holes.addAll(loops);
      return;
    }
    // The outer ring, split where it touches itself: the loop around everything is the shell, the
    // others are pockets open to the outside only through a corner, which are holes.
    int shell = 0;
    long largest = -1;
    for (int i = 0; i < loops.size(); i++) {
      long area = Math.abs(signedArea(loops.get(i)));
      if (area > largest) {
        largest = area;
        shell = i;
      }
    }
    List<int[]> rings = new ArrayList<>(loops.size() + region.holes.size());
    rings.add(loops.get(shell));
    for (int i = 0; i < loops.size(); i++) {
      if (i != shell) {
        rings.add(loops.get(i));
      }
    }
    rings.addAll(region.holes);
    region.holes = new ArrayList<>(0);
    out.accept(new PixelPolygon(c, rings, region.pixels, region.area));
  }

  /**
   * A ring that passes a vertex twice, cut there into simple loops (OGC rings may not touch
   * themselves; a hole may touch the shell or another hole at a point).
   */
  private static List<int[]> loops(int[] ring) {
    List<int[]> loops = new ArrayList<>();
    // Vertex → its position on the stack, open addressing over primitive keys: rings of a noisy
    // mask's background pass millions of corners, too many to box. A popped vertex's entry goes
    // stale rather than being removed; it is live only while the stack still holds it there.
    int capacity = Integer.highestOneBit(Math.max(8, ring.length)) * 2;
    long[] keys = new long[capacity];
    int[] positions = new int[capacity];
    Arrays.fill(positions, -1);
    int[] stack = new int[ring.length];
    int top = 0;
    for (int i = 0; i < ring.length; i += 2) {
      int x = ring[i];
      int y = ring[i + 1];
      long key = ((long) x << 32) | (y & 0xffffffffL);
      int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & (capacity - 1);
      while (positions[slot] >= 0 && keys[slot] != key) {
        slot = (slot + 1) & (capacity - 1);
      }
      int at = positions[slot];
      if (at >= 0 && at < top && stack[at] == x && stack[at + 1] == y) {
        loops.add(Arrays.copyOfRange(stack, at, top));
        top = at + 2;
        continue;
      }
      keys[slot] = key;
      positions[slot] = top;
      stack[top++] = x;
      stack[top++] = y;
    }
    loops.add(Arrays.copyOf(stack, top));
    return loops;
  }

  /** Twice the signed area of a ring (shoelace); the sign gives its orientation. */
  static long signedArea(int[] ring) {
    long sum = 0;
    int n = ring.length;
    for (int i = 0; i < n; i += 2) {
      int j = (i + 2) % n;
      sum += (long) ring[i] * ring[j + 1] - (long) ring[j] * ring[i + 1];
    }
    return sum;
  }

  /** One row as runs of equal class, each with its region and the chain ends at its two sides. */
  private static final class Row {
    int count;
    int[] start;
    int[] cls;
    Region[] region;
    End[] leftEnd;
    End[] rightEnd;
    private final int width;

    private Row(int capacity, int width) {
      this.width = width;
      start = new int[capacity];
      cls = new int[capacity];
      region = new Region[capacity];
      leftEnd = new End[capacity];
      rightEnd = new End[capacity];
    }

    static Row empty(int width) {
      Row row = new Row(1, width);
      row.count = 1;
      row.cls[0] = NODATA;
      return row;
    }

    static Row of(byte[] pixels, int offset, int width) {
      int runs = 1;
      for (int x = 1; x < width; x++) {
        if (pixels[offset + x] != pixels[offset + x - 1]) {
          runs++;
        }
      }
      Row row = new Row(runs, width);
      int n = 0;
      for (int x = 0; x < width; x++) {
        if (x == 0 || pixels[offset + x] != pixels[offset + x - 1]) {
          row.start[n] = x;
          row.cls[n] = pixels[offset + x] & 0xff;
          n++;
        }
      }
      row.count = n;
      return row;
    }

    /** Where run {@code i} ends (exclusive); the width past the last run. */
    int end(int i) {
      return i + 1 < count ? start[i + 1] : width;
    }
  }

  /** A 4-connected region under construction: union-find over the runs it has met. */
  private static final class Region {
    private Region parent;
    private int rank;
    long pixels;
    double area;
    List<int[]> holes = new ArrayList<>(0);

    Region root() {
      Region r = this;
      while (r.parent != null) {
        r = r.parent;
      }
      Region s = this;
      while (s != r) {
        Region next = s.parent;
        s.parent = r;
        s = next;
      }
      return r;
    }

    Region union(Region other) {
      Region a = root();
      Region b = other.root();
      if (a == b) {
        return a;
      }
      if (a.rank < b.rank) {
        Region t = a;
        a = b;
        b = t;
      }
      b.parent = a;
      if (a.rank == b.rank) {
        a.rank++;
      }
      a.pixels += b.pixels;
      a.area += b.area;
      if (a.holes.size() < b.holes.size()) {
        List<int[]> t = a.holes;
        a.holes = b.holes;
        b.holes = t;
      }
      a.holes.addAll(b.holes);
      b.holes = null;
      return a;
    }
  }

  /** One end of an open boundary chain; stays valid (re-pointed) when chains are joined. */
  private static final class End {
    Chain chain;
    boolean head;

    End(Chain chain, boolean head) {
      this.chain = chain;
      this.head = head;
    }

    void extend(int x, int y) {
      (head ? chain.front : chain.back).add(x, y);
    }
  }

  /**
   * An open path of boundary corners. Its vertex sequence is {@code front} reversed followed by
   * {@code back}, so both ends grow in O(1) and reversing is a swap.
   */
  private static final class Chain {
    IntPairs front = new IntPairs();
    IntPairs back = new IntPairs();
    End headEnd;
    End tailEnd;

    /** The top-left vertex where a chain of this path started, and which side the region is. */
    long firstKey;

    boolean outer;
    boolean pinched;
    Region region;

    static Chain start(int x, int y, boolean regionBelowRight, Region region) {
      Chain chain = new Chain();
      chain.back.add(x, y);
      chain.headEnd = new End(chain, true);
      chain.tailEnd = new End(chain, false);
      chain.firstKey = ((long) y << 32) | x;
      chain.outer = regionBelowRight;
      chain.region = region;
      return chain;
    }

    int size() {
      return front.size + back.size;
    }

    void reverse() {
      IntPairs t = front;
      front = back;
      back = t;
      End e = headEnd;
      headEnd = tailEnd;
      tailEnd = e;
      headEnd.head = true;
      tailEnd.head = false;
    }

    /** Joins the paths ending at {@code a} and {@code b}, copying the shorter into the longer. */
    static void join(End a, End b) {
      Chain first = a.chain;
      Chain second = b.chain;
      if (a.head) {
        first.reverse(); // a is now first's tail
      }
      if (!b.head) {
        second.reverse(); // b is now second's head
      }
      Chain into;
      if (first.size() >= second.size()) {
        second.forEach(first.back);
        first.tailEnd = second.tailEnd;
        first.tailEnd.chain = first;
        into = first;
        first.absorb(second);
      } else {
        first.forEachBackwards(second.front);
        second.headEnd = first.headEnd;
        second.headEnd.chain = second;
        into = second;
        second.absorb(first);
      }
      into.headEnd.head = true;
      into.tailEnd.head = false;
    }

    private void absorb(Chain other) {
      if (other.firstKey < firstKey) {
        firstKey = other.firstKey;
        outer = other.outer;
      }
      pinched |= other.pinched;
    }

    /** Appends this chain's vertices, head to tail, to {@code to}. */
    private void forEach(IntPairs to) {
      for (int i = front.size - 1; i >= 0; i--) {
        to.add(front.x(i), front.y(i));
      }
      for (int i = 0; i < back.size; i++) {
        to.add(back.x(i), back.y(i));
      }
    }

    /** Appends this chain's vertices, tail to head, to {@code to}. */
    private void forEachBackwards(IntPairs to) {
      for (int i = back.size - 1; i >= 0; i--) {
        to.add(back.x(i), back.y(i));
      }
      for (int i = 0; i < front.size; i++) {
        to.add(front.x(i), front.y(i));
      }
    }

    int[] vertices() {
      IntPairs all = new IntPairs();
      forEach(all);
      return Arrays.copyOf(all.data, 2 * all.size);
    }
  }

  /** A growable array of (x, y) pairs: vertices cost 8 bytes, not a Coordinate object. */
  private static final class IntPairs {
    int[] data = new int[8];
    int size;

    void add(int x, int y) {
      if (2 * size + 2 > data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[2 * size] = x;
      data[2 * size + 1] = y;
      size++;
    }

    int x(int i) {
      return data[2 * i];
    }

    int y(int i) {
      return data[2 * i + 1];
    }
  }
}
