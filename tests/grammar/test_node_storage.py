"""AST nodes keep a tuple field of one item as the item (`ast.node`), and
give every tuple field back as the tuple it was given as."""

import pickle

import attrs

from mkc.grammar import ast, dump, parse, walk


def test_a_tuple_of_one_is_kept_bare_and_given_back_as_a_tuple():
    step = ast.Step("send_email", (ast.Str("Hi"),), ())
    flow = ast.Flow((step,))
    assert flow._steps is step  # 48 bytes less than a tuple
    assert flow.steps == (step,) and type(flow.steps) is tuple
    assert step.kwargs == () and ast.Flow((step, step)).steps == (step, step)
    assert ast.Ref(("a",)).parts == ("a",) and ast.Ref(("a",)).name == "a"
    assert ast.Run(ast.Ref(("C",)), None).people is None
    assert ast.Flow(((1, 2),)).steps == ((1, 2),)  # a tuple in a tuple stays in it
    assert ast.Flow([step]).steps == [step]  # a list stays the list


def test_nodes_compare_hash_print_and_evolve_as_declared():
    one = ast.Flow((ast.Step("wait", (), ()),))
    assert one == ast.Flow((ast.Step("wait", (), ()),)) and hash(one) == hash(ast.Flow((ast.Step("wait", (), ()),)))
    assert one != ast.Flow(())
    assert repr(one) == "Flow(steps=(Step(name='wait', args=(), kwargs=()),))"
    two = attrs.evolve(one, steps=one.steps * 2)
    assert len(two.steps) == 2 and attrs.evolve(two, steps=two.steps[:1]) == one
    assert pickle.loads(pickle.dumps(one)) == one


def test_walks_and_dumps_see_the_declared_fields():
    module = parse('campaign A < flow < send_email "Hi" > >\n', "t.mkc")
    assert [type(n).__name__ for n in walk.nodes(module)] == ["Module", "Campaign", "Flow", "Step", "Str"]
    assert "  steps:\n" in dump.dump(module) and "_steps" not in dump.dump(module)
