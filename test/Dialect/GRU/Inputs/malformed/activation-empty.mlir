func.func private @f() attributes {a = #gru.activation<>}
