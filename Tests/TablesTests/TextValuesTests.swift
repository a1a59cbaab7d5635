import Kernels
@testable import Tables
import XCTest

/// Text kept as bytes reads, to every consumer, as the same strings read as a category.
final class TextValuesTests: XCTestCase {
    /// `values` kept as bytes and as a category (`nil` = null).
    private func both(_ values: [String?]) -> (text: Column, category: Column) {
        let category = Column.category("c", values)
        return (Column(name: "c", values: .text(TextValues(values)), validity: category.validity), category)
    }

    func testDictionaryEncodingIsTheCategoryReadersInOrderOfFirstAppearance() {
        let (text, category) = both(["b", nil, "a", "b", "", nil, "c", "a"])
        XCTAssertEqual(text.type, .category)
        XCTAssertEqual(text.count, 8)
        XCTAssertEqual(text.categories?.dictionary, ["b", "a", "", "c"])
        XCTAssertEqual(text.categories?.codes, [0, 0, 1, 0, 2, 0, 3, 1])
        XCTAssertEqual(text.categories?.dictionary, category.categories?.dictionary)
        XCTAssertEqual(text.categories?.codes, category.categories?.codes)
        XCTAssertEqual((0..<8).map(text.text(at:)), (0..<8).map(category.text(at:)))
        XCTAssertNil(text.number(at: 0))
    }

    /// Canonically equivalent spellings are one category, as `String` compares them, spelled
    /// as they first appear (the CSV reader's `CategoryEncoder` does the same).
    func testCanonicallyEquivalentSpellingsAreOneCategory() {
        let (text, category) = both(["x", "\u{E9}", "e\u{301}", "\u{212A}", "K"])
        XCTAssertEqual(text.categories?.dictionary, ["x", "\u{E9}", "\u{212A}"])
        XCTAssertEqual(text.categories?.codes, [0, 1, 1, 2, 2])
        XCTAssertEqual(text.categories?.dictionary, category.categories?.dictionary)
        XCTAssertEqual(text.categories?.codes, category.categories?.codes)
    }

    /// Blocks hashed on several threads merge into the one dictionary a single pass makes.
    func testManyRowsEncodeOnSeveralThreadsAsOnOne() {
        let values: [String?] = (0..<300_000).map { $0 % 7 == 0 ? nil : "user-\(($0 * 7_919) % 100_003)" }
        let text = TextValues(values)
        let validity = NullBitmap(validity: values.map { $0 != nil })
        let one = text.dictionaryEncoded(validity: validity, threads: .one)
        let three = text.dictionaryEncoded(validity: validity, threads: ParallelFor.Threads(3))
        XCTAssertEqual(three.dictionary, one.dictionary)
        XCTAssertEqual(three.codes, one.codes)
        let category = Column.category("c", values).categories
        XCTAssertEqual(one.dictionary, category?.dictionary)
        XCTAssertEqual(one.codes, category?.codes)
    }

    func testSelectingAndAppendingKeepTheBytes() {
        let text = TextValues(["ab", nil, "", "cde"])
        XCTAssertEqual(text.offsets, [0, 2, 2, 2, 5])
        XCTAssertEqual(text.selecting(rows: [3, 0, 3]), TextValues(["cde", "ab", "cde"]))
        var joined = text
        joined.append(TextValues([]))
        joined.append(TextValues(["f"]))
        XCTAssertEqual(joined, TextValues(["ab", nil, "", "cde", "f"]))
        XCTAssertEqual(TextValues(), TextValues([]))
        XCTAssertEqual(TextValues([]).dictionaryEncoded(validity: NullBitmap(count: 0)).dictionary, [])
        // A table's row selection keeps text as bytes.
        let (column, _) = both(["ab", nil, "cd"])
        let selected = column.selecting(rows: [2, 1])
        XCTAssertEqual(selected.values, .text(TextValues(["cd", nil])))
        XCTAssertEqual(selected.isNull(1), true)
    }

    /// Directory datasets join files' columns: text kept as bytes in one file and a category
    /// in another join as text, with every row's value.
    func testFilesJoinTextAndCategoriesAsText() {
        let (text, _) = both(["a", nil])
        let joined = Column(concatenating: [Column.category("c", ["b", "a"]), text])
        XCTAssertEqual(joined.values, .text(TextValues(["b", "a", "a", nil])))
        XCTAssertEqual((0..<4).map(joined.text(at:)), ["b", "a", "a", nil])
        let categories = Column(concatenating: [Column.category("c", ["b"]), Column.category("c", [nil, "a"])])
        XCTAssertEqual(categories.categories?.dictionary, ["b", "a"])
    }
}
