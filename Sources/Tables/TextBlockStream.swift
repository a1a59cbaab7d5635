import Foundation

/// Decompressed text in blocks of whole rows, decoded on a thread of its own while the caller
/// parses the blocks before: decompression and parsing overlap. The decoder runs at most one
/// block ahead of the caller, so at most three blocks of text are in memory: the one the caller
/// holds, the one waiting for it, and the one being decoded.
///
/// Blocks are of about `blockSize` bytes, each cut after its last row end (a newline outside
/// quotes when `quoted`, any newline otherwise; `CompressedTextReader.rowsEnd`), the rest
/// carried into the next block. The first blocks are smaller (a sixteenth of `blockSize`, each
/// next one twice the one before), so the caller starts parsing after a short decode rather
/// than after a whole block's, and the decoder, which decodes faster than the caller parses,
/// still keeps ahead. The first block may be empty (the text is); a later block never is.
/// A decoding failure arrives in order, after the blocks decoded before it.
///
/// The decoder reads the compressed bytes its `TextDecompressor` holds: `close()` (which
/// `deinit` does not do for you) stops it and waits for its thread to end, and must return before
/// those bytes go away. Safety of the unchecked `Sendable`: `queue`, `closed` and `running` are
/// guarded by `condition`; the decompressor is used by the decoding thread alone once started.
final class TextBlockStream: @unchecked Sendable {
    /// A block of text, the number of newlines in it, and its quote and newline counts by chunk.
    struct Block: Sendable {
        let text: [UInt8]
        let newlines: Int
        let counts: RowSplit.Counts?
    }

    private enum Item {
        case block(Block)
        case failure(TextDecompressor.Failure)
        case end
    }

    private let condition = NSCondition()
    private var queue: [Item] = []
    private var closed = false
    private var running = true
    private let blockSize: Int
    private let quoted: Bool

    /// Starts decoding `decompressor`'s stream on a new thread.
    init(_ decompressor: TextDecompressor, blockSize: Int, quoted: Bool) {
        self.blockSize = blockSize
        self.quoted = quoted
        let thread = Thread { [self] in
            produce(decompressor)
            condition.withLock {
                running = false
                condition.broadcast()
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The next block, nil after the last; waits for the decoder. Throws the decoder's failure.
    func next() throws(TextDecompressor.Failure) -> Block? {
        let item: Item = condition.withLock {
            while queue.isEmpty {
                guard running else { return Item.end }
                condition.wait()
            }
            let first = queue.removeFirst()
            condition.broadcast()
            return first
        }
        switch item {
        case .block(let block): return block
        case .failure(let failure): throw failure
        case .end: return nil
        }
    }

    /// Stops the decoder and returns once its thread has ended (at once if it already has).
    func close() {
        condition.withLock {
            closed = true
            queue = []
            condition.broadcast()
            while running { condition.wait() }
        }
    }

    /// The decoding thread: cuts the stream into blocks and queues them until the end, a
    /// failure or `close()`.
    private func produce(_ decompressor: TextDecompressor) {
        var text: [UInt8] = []
        var first = true
        var size = max(1, blockSize / 16)
        while true {
            let item: Item
            do throws(TextDecompressor.Failure) {
                item = try nextBlock(decompressor, &text, size: size, first: first).map(Item.block) ?? .end
            } catch {
                item = .failure(error)
            }
            guard put(item), case .block = item else { return }
            first = false
            size = min(blockSize, 2 * size)
            if decompressor.isFinished && text.isEmpty { _ = put(.end); return }
        }
    }

    /// Decodes until `text` holds about `size` bytes and a row end (or the stream ends) and
    /// takes the block before it out of `text`; nil when the stream has ended with nothing left
    /// after the first block.
    private func nextBlock(_ decompressor: TextDecompressor, _ text: inout [UInt8], size: Int, first: Bool) throws(TextDecompressor.Failure) -> Block? {
        var cut: (end: Int, newlines: Int, counts: RowSplit.Counts?) = (0, 0, nil)
        repeat {
            // At least half again what is held: a row longer than `size` is found in a number of
            // reads (and of counting passes over the text) that grows with its log, not its length.
            try decompressor.read(appendingTo: &text, limit: max(size - text.count, max(size, text.count) / 2, 1))
            cut = CompressedTextReader.rowsEnd(text, quoted: quoted, ended: decompressor.isFinished)
        } while cut.end == 0 && !decompressor.isFinished
        if cut.end == 0 && !first { return nil }
        // The block keeps `text`'s storage; only the carried rest is copied.
        var rest: [UInt8] = []
        rest.reserveCapacity(min(blockSize, 2 * size))
        rest.append(contentsOf: text[cut.end...])
        text.removeLast(text.count - cut.end)
        let block = Block(text: text, newlines: cut.newlines, counts: cut.counts)
        text = rest
        return block
    }

    /// Queues `item` once the caller has taken the one before; false when closed.
    private func put(_ item: Item) -> Bool {
        condition.withLock {
            while !queue.isEmpty && !closed { condition.wait() }
            guard !closed else { return false }
            queue.append(item)
            condition.broadcast()
            return true
        }
    }
}
