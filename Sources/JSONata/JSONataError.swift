import FlowJSON

/// An error raised while compiling or evaluating a JSONata expression.
///
/// `code` is JSONata's own error code (`S0xxx` syntax, `T0xxx`/`T1xxx`/`T2xxx` type, `D1xxx`-`D3xxx` dynamic,
/// `U1001` resource limit); `position` is the character offset in the expression where the error was found.
public struct JSONataError: Error, Sendable, CustomStringConvertible {
    /// JSONata error code, e.g. `T2001`.
    public var code: String
    /// Human-readable message (JSONata's wording where it has one).
    public var message: String
    /// Character offset into the expression source (0 when unknown).
    public var position: Int
    /// The token the error refers to, when there is one.
    public var token: String?
    /// The offending value, when relevant.
    public var value: JSON?
    /// The name of the function that raised the error, when relevant.
    public var functionName: String?

    public init(
        code: String, message: String? = nil, position: Int = 0, token: String? = nil, value: JSON? = nil,
        functionName: String? = nil
    ) {
        self.code = code
        self.position = position
        self.token = token
        self.value = value
        self.functionName = functionName
        self.message = message ?? ""
        if message == nil { self.message = JSONataError.defaultMessage(code: code, token: token, value: value) }
    }

    public var description: String { "\(code): \(message) (position \(position))" }

    static func defaultMessage(code: String, token: String?, value: JSON?) -> String {
        let t = token ?? ""
        // Strings go in as they are: the templates quote them already.
        let v = value.map { $0.stringValue ?? $0.serialized() } ?? ""
        switch code {
        case "S0101": return "String literal must be terminated by a matching quote"
        case "S0102": return "Number out of range: \(t)"
        case "S0103": return "Unsupported escape sequence: \\\(t)"
        case "S0104": return "The escape sequence \\u must be followed by 4 hex digits"
        case "S0105": return "Quoted property name must be terminated with a backquote (`)"
        case "S0106": return "Comment has no closing tag"
        case "S0201": return "Syntax error: \"\(t)\""
        case "S0202": return "Expected \"\(v)\", got \"\(t)\""
        case "S0203": return "Expected \"\(v)\" before end of expression"
        case "S0204": return "Unknown operator: \"\(t)\""
        case "S0205": return "Unexpected token: \"\(t)\""
        case "S0206": return "Unknown expression type: \"\(t)\""
        case "S0207": return "Unexpected end of expression"
        case "S0208": return "Parameter \"\(v)\" of function definition must be a variable name (start with $)"
        case "S0209": return "A predicate cannot follow a grouping expression in a step"
        case "S0210": return "Each step can only have one grouping expression"
        case "S0211": return "The symbol \"\(t)\" cannot be used as a unary operator"
        case "S0212": return "The left side of := must be a variable name (start with $)"
        case "S0213": return "The literal value \"\(v)\" cannot be used as a step within a path expression"
        case "S0214": return "The right side of \"\(t)\" must be a variable name (start with $)"
        case "S0215": return "A context variable binding must precede any predicates on a step"
        case "S0216": return "A context variable binding must precede the \"order-by\" clause on a step"
        case "S0217": return "The object representing the \"parent\" cannot be derived from this expression"
        case "S0301": return "Empty regular expressions are not allowed"
        case "S0302": return "No terminating / in regular expression"
        case "S0402": return "Choice groups containing parameterized types are not supported"
        case "S0401": return "Type parameters can only be applied to functions and arrays"
        case "S0500": return "Attempted to evaluate an expression containing syntax error(s)"
        case "T0410": return "Argument of function \"\(t)\" does not match function signature"
        case "T0411": return "Context value is not a compatible type with argument of function \"\(t)\""
        case "T0412": return "Argument of function \"\(t)\" must be an array of the expected type"
        case "D1001": return "Number out of range: \(v)"
        case "D1002": return "Cannot negate a non-numeric value: \(v)"
        case "T1003": return "Key in object structure must evaluate to a string; got: \(v)"
        case "D1004": return "Regular expression matches zero length string"
        case "T1005": return "Attempted to invoke a non-function. Did you mean ${\(t)}?"
        case "T1006": return "Attempted to invoke a non-function"
        case "T1007": return "Attempted to partially apply a non-function. Did you mean ${\(t)}?"
        case "T1008": return "Attempted to partially apply a non-function"
        case "D1009": return "Multiple key definitions evaluate to same key: \(v)"
        case "D1010": return "Attempted to access the Javascript object prototype"
        case "T1010": return "The matcher function argument passed to function \"\(t)\" does not return the correct object structure"
        case "T2001": return "The left side of the \"\(t)\" operator must evaluate to a number"
        case "T2002": return "The right side of the \"\(t)\" operator must evaluate to a number"
        case "T2003": return "The left side of the range operator (..) must evaluate to an integer"
        case "T2004": return "The right side of the range operator (..) must evaluate to an integer"
        case "D2005": return "The left side of := must be a variable name (start with $)"
        case "T2006": return "The right side of the function application operator ~> must be a function"
        case "T2007": return "Type mismatch when comparing values \(v) in order-by clause"
        case "T2008": return "The expressions within an order-by clause must evaluate to numeric or string values"
        case "T2009": return "The values \(v) either side of operator \"\(t)\" must be of the same data type"
        case "T2010": return "The expressions either side of operator \"\(t)\" must evaluate to numeric or string values"
        case "T2011": return "The insert/update clause of the transform expression must evaluate to an object: \(v)"
        case "T2012": return "The delete clause of the transform expression must evaluate to a string or array of strings: \(v)"
        case "T2013": return "The transform expression clones the input object using the $clone() function. This has been overridden in the current scope by a non-function."
        case "D2014": return "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate \(v)."
        case "D3001": return "Attempting to invoke string function on Infinity or NaN"
        case "D3010": return "Second argument of replace function cannot be an empty string"
        case "D3011": return "Fourth argument of replace function must evaluate to a positive number"
        case "D3012": return "Attempted to replace a matched string with a non-string value"
        case "D3020": return "Third argument of split function must evaluate to a positive number"
        case "D3030": return "Unable to cast value to a number: \(v)"
        case "D3040": return "Third argument of match function must evaluate to a positive number"
        case "D3050": return "The second argument of reduce function must be a function with at least two arguments"
        case "D3060": return "The sqrt function cannot be applied to a negative number: \(v)"
        case "D3061": return "The power function has resulted in a value that cannot be represented as a JSON number: base=\(v)"
        case "D3070": return "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"
        case "D3080": return "The picture string must only contain a maximum of two sub-pictures"
        case "D3081": return "The sub-picture must not contain more than one instance of the 'decimal-separator' character"
        case "D3082": return "The sub-picture must not contain more than one instance of the 'percent' character"
        case "D3083": return "The sub-picture must not contain more than one instance of the 'per-mille' character"
        case "D3084": return "The sub-picture must not contain both a 'percent' and a 'per-mille' character"
        case "D3085": return "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"
        case "D3086": return "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"
        case "D3087": return "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"
        case "D3088": return "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"
        case "D3089": return "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"
        case "D3090": return "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"
        case "D3091": return "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"
        case "D3092": return "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"
        case "D3093": return "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"
        case "D3100": return "The radix of the formatBase function must be between 2 and 36.  It was given \(v)"
        case "D3110": return "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given \(v)"
        case "D3120": return "Syntax error in expression passed to function eval: \(v)"
        case "D3121": return "Dynamic error evaluating the expression passed to function eval: \(v)"
        case "D3130": return "Formatting or parsing an integer as a sequence starting with \(v) is not supported by this implementation"
        case "D3131": return "In a decimal digit pattern, all digits must be from the same decimal group"
        case "D3132": return "Unknown component specifier \(v) in date/time picture string"
        case "D3133": return "The 'name' modifier can only be applied to months and days in the date/time picture string, not \(v)"
        case "D3134": return "The timezone integer format specifier cannot have more than four digits"
        case "D3135": return "No matching closing bracket ']' in date/time picture string"
        case "D3136": return "The date/time picture string is missing specifiers required to parse the timestamp"
        case "D3137": return v
        case "D3138": return "The $single() function expected exactly 1 matching result.  Instead it matched more."
        case "D3139": return "The $single() function expected exactly 1 matching result.  Instead it matched 0."
        case "D3140": return "Malformed URL passed to $\(t)(): \(v)"
        case "D3141": return v
        case "U1001": return "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."
        case "U1002": return "Expression evaluation timeout: Check for infinite loop"
        default: return "Error \(code)"
        }
    }
}
