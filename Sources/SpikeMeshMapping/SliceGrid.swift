/// How one population is cut into core-sized slices: a regular grid of channel groups ×
/// row tiles × column tiles (a `[F]` population is `F` channels of one pixel).
///
/// Slices are numbered spatial-major, `k = (rowTile · colTiles + colTile) · groups + group`,
/// so consecutive slices are spatial neighbours (what the snake placement wants).
public struct SliceGrid: Sendable, Equatable {
    public let population: Int
    public let channels: Int, height: Int, width: Int
    public let channelsPerCore: Int, rowsPerCore: Int, colsPerCore: Int

    public init(population: Int, dims: (Int, Int, Int), channelsPerCore: Int, rowsPerCore: Int, colsPerCore: Int) {
        self.population = population
        (channels, height, width) = dims
        self.channelsPerCore = min(channelsPerCore, dims.0)
        self.rowsPerCore = min(rowsPerCore, dims.1)
        self.colsPerCore = min(colsPerCore, dims.2)
    }

    public static func == (a: SliceGrid, b: SliceGrid) -> Bool {
        a.population == b.population && a.channelsPerCore == b.channelsPerCore && a.rowsPerCore == b.rowsPerCore
            && a.colsPerCore == b.colsPerCore && a.channels == b.channels && a.height == b.height && a.width == b.width
    }

    public var groups: Int { (channels + channelsPerCore - 1) / channelsPerCore }
    public var rowTiles: Int { (height + rowsPerCore - 1) / rowsPerCore }
    public var colTiles: Int { (width + colsPerCore - 1) / colsPerCore }
    public var count: Int { groups * rowTiles * colTiles }
    public var neuronsPerCore: Int { channelsPerCore * rowsPerCore * colsPerCore }

    public struct Slice: Sendable, Equatable {
        public var channels: Range<Int>, rows: Range<Int>, cols: Range<Int>
        public var neurons: Int { channels.count * rows.count * cols.count }
    }

    public func slice(_ k: Int) -> Slice {
        let g = k % groups
        let spatial = k / groups
        let rt = spatial / colTiles
        let ct = spatial % colTiles
        return Slice(
            channels: (g * channelsPerCore)..<min(channels, (g + 1) * channelsPerCore),
            rows: (rt * rowsPerCore)..<min(height, (rt + 1) * rowsPerCore),
            cols: (ct * colsPerCore)..<min(width, (ct + 1) * colsPerCore))
    }

    public func index(group: Int, rowTile: Int, colTile: Int) -> Int { (rowTile * colTiles + colTile) * groups + group }

    /// The slice holding neuron (c, y, x).
    public func slice(containing c: Int, _ y: Int, _ x: Int) -> Int {
        index(group: c / channelsPerCore, rowTile: y / rowsPerCore, colTile: x / colsPerCore)
    }
}
