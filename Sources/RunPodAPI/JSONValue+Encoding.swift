extension JSONValue {
    /// `value` as the JSON it encodes to, built directly (no bytes in between, so a `Double` stays
    /// `.number` even when it is whole, and an `Int` stays `.int`).
    ///
    /// - Throws: only what `value`'s own `encode(to:)` throws (this encoder never fails).
    public init<T: Encodable>(encoding value: T) throws {
        let root = JSONValueNode()
        try value.encode(to: JSONValueEncoder(node: root, codingPath: []))
        self = root.value
    }
}

/// A node of the value being built: containers write into their node, parents read it at the end.
private final class JSONValueNode {
    enum Content { case empty, value(JSONValue), object([String: JSONValueNode]), array([JSONValueNode]) }
    var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .value(let v): return v
        case .object(let o): return .object(o.mapValues(\.value))
        case .array(let a): return .array(a.map(\.value))
        }
    }

    func objectChild(_ key: String) -> JSONValueNode {
        var fields: [String: JSONValueNode] = [:]
        if case .object(let o) = content { fields = o }
        let child = fields[key] ?? JSONValueNode()
        fields[key] = child
        content = .object(fields)
        return child
    }

    func appendChild() -> JSONValueNode {
        var items: [JSONValueNode] = []
        if case .array(let a) = content { items = a }
        let child = JSONValueNode()
        items.append(child)
        content = .array(items)
        return child
    }

    func makeObject() { if case .object = content {} else { content = .object([:]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }
}

private struct JSONValueEncoder: Encoder {
    let node: JSONValueNode
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        node.makeArray()
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: JSONValueNode
        var codingPath: [CodingKey]

        func set(_ value: JSONValue, _ key: Key) { node.objectChild(key.stringValue).content = .value(value) }
        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(.number(value), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(value), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try value.encode(to: JSONValueEncoder(node: node.objectChild(key.stringValue), codingPath: codingPath + [key]))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            JSONValueEncoder(node: node.objectChild(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            JSONValueEncoder(node: node.objectChild(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { JSONValueEncoder(node: node.objectChild("super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> Encoder {
            JSONValueEncoder(node: node.objectChild(key.stringValue), codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: JSONValueNode
        var codingPath: [CodingKey]
        var count: Int {
            if case .array(let a) = node.content { return a.count }
            return 0
        }

        func append(_ value: JSONValue) { node.appendChild().content = .value(value) }
        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { append(.number(value)) }
        mutating func encode(_ value: Int) throws { append(.int(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try value.encode(to: JSONValueEncoder(node: node.appendChild(), codingPath: codingPath))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            JSONValueEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            JSONValueEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { JSONValueEncoder(node: node.appendChild(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: JSONValueNode
        var codingPath: [CodingKey]

        mutating func encodeNil() throws { node.content = .value(.null) }
        mutating func encode(_ value: Bool) throws { node.content = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { node.content = .value(.string(value)) }
        mutating func encode(_ value: Double) throws { node.content = .value(.number(value)) }
        mutating func encode(_ value: Int) throws { node.content = .value(.int(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try value.encode(to: JSONValueEncoder(node: node, codingPath: codingPath))
        }
    }
}
