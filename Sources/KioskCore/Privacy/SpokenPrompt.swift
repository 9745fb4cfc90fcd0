/// What the kiosk may say aloud: the screen's own wording (a step's title, what to do, an
/// error, the wipe countdown), never anything about the citizen. Checked on the text before
/// it is synthesised, because a loudspeaker in a public hall cannot be taken back.
public enum SpokenPrompt {
    /// Long enough for a step's title and instructions, too short for a form read aloud.
    public static let maximumLength = 200

    /// Why `text` must not be spoken; `nil` when it may. `personal` holds this session's
    /// personal values (card, prefill, typed): none of them may appear.
    public static func problem(_ text: String, personal: [String] = []) -> String? {
        if text.isEmpty || text.count > maximumLength {
            return "a prompt is 1 to \(maximumLength) characters"
        }
        // Latin letters: a foreigner card's name or a permit number. Masks (林*明, 110105****)
        // and long digit runs: what is left of a personal value, or an ID, phone or receipt
        // number. Short numbers (第2步, 30秒, 8105字) are the screen's own.
        if text.contains(where: { $0.isASCII && $0.isLetter }) { return "no Latin letters in a prompt" }
        if text.contains("*") { return "no masked values in a prompt" }
        var run = 0
        for character in text {
            run = character.isASCII && character.isNumber ? run + 1 : 0
            if run > 5 { return "no number longer than 5 digits in a prompt" }
        }
        if personal.contains(where: { $0.count >= 2 && text.contains($0) }) {
            return "the prompt holds a personal value of this session"
        }
        return nil
    }
}
