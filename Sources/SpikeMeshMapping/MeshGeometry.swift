import SpikeMeshHardware

/// Where physical cores sit: chips on a board, routers on a chip, cores on a router.
///
/// Physical core g lives on chip `g / coresPerChip`, router `(g mod coresPerChip) / coresPerRouter`
/// of that chip (row-major), and the board's routers form one grid of
/// `chipColumns·columns × chipRows·rows` with XY (dimension-order) routing: a packet goes
/// along X first, then along Y. Crossing from one chip's router grid into the next is a
/// chip-to-chip hop. Cores on the same router talk with zero hops.
public struct MeshGeometry: Sendable {
    public let columns: Int, rows: Int, coresPerRouter: Int
    /// Chip columns and rows in use: the board's columns (or fewer, for fewer chips), and as
    /// many rows as the chips need (more than the board's when a network spills over).
    public let chipColumns: Int
    public let chipRows: Int

    public init(_ mesh: HardwareModel.Mesh, chips: Int) {
        columns = mesh.columns
        rows = mesh.rows
        coresPerRouter = mesh.coresPerRouter
        chipColumns = max(1, min(mesh.chipColumns, chips))
        chipRows = (chips + chipColumns - 1) / chipColumns
    }

    public var coresPerChip: Int { columns * rows * coresPerRouter }
    public var chipCount: Int { chipColumns * chipRows }
    public var gridWidth: Int { chipColumns * columns }
    public var gridHeight: Int { chipRows * rows }
    public var routerCount: Int { gridWidth * gridHeight }
    /// Directed links: four per router (east, west, north, south), some unused at edges.
    public var linkCount: Int { routerCount * 4 }

    /// Global router coordinates of physical core g.
    @inline(__always) public func router(_ g: Int) -> (x: Int, y: Int) {
        let chip = g / coresPerChip
        let r = (g % coresPerChip) / coresPerRouter
        return ((chip % chipColumns) * columns + r % columns, (chip / chipColumns) * rows + r / columns)
    }

    public func chip(_ g: Int) -> Int { g / coresPerChip }

    /// Hops from core a to core b, and how many of them cross between chips.
    @inline(__always) public func hops(_ a: Int, _ b: Int) -> (total: Int, betweenChips: Int) {
        let (ax, ay) = router(a)
        let (bx, by) = router(b)
        let between = abs(ax / columns - bx / columns) + abs(ay / rows - by / rows)
        return (abs(ax - bx) + abs(ay - by), between)
    }

    /// Calls `body(link, crossesChips)` for every link of the XY route from core a to core b.
    @inline(__always) public func route(_ a: Int, _ b: Int, _ body: (Int, Bool) -> Void) {
        var (x, y) = router(a)
        let (tx, ty) = router(b)
        while x != tx {
            let step = tx > x ? 1 : -1
            let link = (y * gridWidth + x) * 4 + (step > 0 ? 0 : 1)
            let nx = x + step
            body(link, nx / columns != x / columns)
            x = nx
        }
        while y != ty {
            let step = ty > y ? 1 : -1
            let link = (y * gridWidth + x) * 4 + (step > 0 ? 3 : 2)
            let ny = y + step
            body(link, ny / rows != y / rows)
            y = ny
        }
    }

    /// Whether a link (from `route`) runs along Y: north or south.
    @inline(__always) public static func isNorthSouth(link: Int) -> Bool { link % 4 >= 2 }

    /// Describes a link id: from-router and direction.
    public func describe(link: Int) -> (x: Int, y: Int, direction: String) {
        let r = link / 4
        return (r % gridWidth, r / gridWidth, ["east", "west", "north", "south"][link % 4])
    }

    /// The n-th physical core in snake order: chips in order; routers row by row,
    /// alternating direction (boustrophedon); cores of a router in order.
    public func snake(_ n: Int) -> Int {
        let chip = n / coresPerChip
        let within = n % coresPerChip
        let r = within / coresPerRouter
        let local = within % coresPerRouter
        let row = r / columns
        let col = row % 2 == 0 ? r % columns : columns - 1 - r % columns
        return chip * coresPerChip + (row * columns + col) * coresPerRouter + local
    }
}
