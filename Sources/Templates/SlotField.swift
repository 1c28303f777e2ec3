/// The hottest expression shapes, recognised at compile time so output and conditions can read them straight
/// from the frame: a variable (`row`), a field of a variable (`row.name`) or a string key of one (`row["name"]`).
struct SlotField {
    let slot: Int
    let name: String
    /// The field or key; nil for a bare variable.
    let key: String?
    let isMember: Bool
    let fingerprint: UInt64

    init?(_ e: Expression, slots: SlotTable) {
        switch e {
        case .name(let n):
            (slot, name, key, isMember, fingerprint) = (slots.slot(n), n, nil, false, 0)
        case .member(.name(let n), let field):
            (slot, name, key, isMember, fingerprint) = (slots.slot(n), n, field, true, keyFingerprint(field))
        case .index(.name(let n), .literal(.string(let k))):
            (slot, name, key, isMember, fingerprint) = (slots.slot(n), n, k, false, keyFingerprint(k))
        default:
            return nil
        }
    }

    /// The value, throwing an unlocated error for an unset variable or a missing field/key.
    @inline(__always)
    func read(_ f: RenderFrame) throws -> TemplateValue {
        if let key, case .dictionary(let d)? = f.slots[slot], let v = d.value(forKey: key, fingerprint: fingerprint) {
            return v
        }
        return try slowRead(f)
    }

    /// Everything but a present key of a dictionary: bare variables, objects, errors.
    @inline(never)
    func slowRead(_ f: RenderFrame) throws -> TemplateValue {
        guard let base = f.slots[slot] else { throw nameError(name) }
        guard let key else { return base }
        return isMember ? try Operations.member(base, key) : try Operations.index(base, .string(key))
    }
}
